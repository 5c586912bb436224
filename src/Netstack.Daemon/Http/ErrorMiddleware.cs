using System.Text.Json;
using Netstack.Api.Contracts.Engine;
using Netstack.Api.Serialization;

namespace Netstack.Daemon.Http;

/// <summary>
/// Turns any exception into <c>{"message": "..."}</c> with the mapped status, and gives unknown
/// routes the engine's <c>404 page not found</c> body.
/// </summary>
internal sealed class ErrorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ErrorMiddleware> _logger;

    public ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await _next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.GetEndpoint() is null
                && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                await WriteAsync(context, StatusCodes.Status404NotFound, "page not found").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            var (status, message, isFault) = ErrorMapping.Map(e);
            if (isFault)
            {
                Log.RequestFault(_logger, context.Request.Method, context.Request.Path, e);
            }
            else
            {
                Log.RequestRejected(_logger, context.Request.Method, context.Request.Path, status, message);
            }
            if (context.Response.HasStarted)
            {
                // A streaming answer already sent its status; all we can do is end it.
                context.Abort();
                return;
            }
            await WriteAsync(context, status, message).ConfigureAwait(false);
        }
    }

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse { Message = message }, ApiJsonContext.Default.ErrorResponse, context.RequestAborted).ConfigureAwait(false);
    }
}
