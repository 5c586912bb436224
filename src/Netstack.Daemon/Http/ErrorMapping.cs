using Netstack.Core;
using Netstack.Runtime;

namespace Netstack.Daemon.Http;

/// <summary>
/// Exception to HTTP status, as the engine answers: 400 bad input, 404 unknown object, 409 conflict,
/// 403 forbidden (e.g. deleting a network in use), 503 exhausted, 500 only for real faults.
/// </summary>
internal static class ErrorMapping
{
    public static (int Status, string Message, bool IsFault) Map(Exception exception) => exception switch
    {
        ApiError e => (e.StatusCode, e.Message, e.StatusCode >= 500),
        NetstackException e => (e.Category.ToHttpStatusCode(), e.Message, e.Category == ErrorCategory.Internal),
        RuntimeException e => e.Kind switch
        {
            RuntimeErrorKind.InvalidArgument => (StatusCodes.Status400BadRequest, e.Message, false),
            RuntimeErrorKind.NotFound => (StatusCodes.Status404NotFound, e.Message, false),
            RuntimeErrorKind.Conflict => (StatusCodes.Status409Conflict, e.Message, false),
            _ => (StatusCodes.Status500InternalServerError, e.Message, true),
        },
        // Kestrel's own request errors: the body limit (413), a broken request (400).
        BadHttpRequestException e when e.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (e.StatusCode, $"request body too large: the limit is {DaemonLimits.MaxJsonBodyBytes} bytes", false),
        BadHttpRequestException e => (e.StatusCode, e.Message, false),
        _ => (StatusCodes.Status500InternalServerError, exception.Message, true),
    };
}
