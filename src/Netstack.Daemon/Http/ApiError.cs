namespace Netstack.Daemon.Http;

/// <summary>An error the HTTP layer itself finds (bad query value, unreadable body), with its status code.</summary>
internal sealed class ApiError : Exception
{
    public ApiError(int statusCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    public ApiError()
    {
    }

    public ApiError(string message)
        : base(message)
    {
    }

    public ApiError(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int StatusCode { get; } = StatusCodes.Status500InternalServerError;

    public static ApiError BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiError NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static ApiError Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
