using System.Net;

namespace Netstack.Api.Client;

/// <summary>The daemon answered with an error, or could not be reached (then <see cref="StatusCode"/> is null).</summary>
public sealed class ApiException : Exception
{
    public ApiException(HttpStatusCode? statusCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    public ApiException()
    {
    }

    public ApiException(string message)
        : base(message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode? StatusCode { get; }
}
