namespace Netstack.Core;

/// <summary>What kind of failure an error is; the API maps it to an HTTP status code.</summary>
public enum ErrorCategory
{
    /// <summary>Bad input: a field has a value that cannot be used (HTTP 400).</summary>
    InvalidParameter,

    /// <summary>The named object does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request clashes with existing state: duplicate name, overlapping subnet, address taken (HTTP 409).</summary>
    Conflict,

    /// <summary>The operation is not allowed on this object (for example deleting a network in use) (HTTP 403 in Docker; 409 here too is acceptable).</summary>
    Forbidden,

    /// <summary>A resource is exhausted or a dependency is down; retrying later may work (HTTP 503).</summary>
    Unavailable,

    /// <summary>A real fault: a kernel call or the store failed unexpectedly (HTTP 500).</summary>
    Internal,

    /// <summary>The driver or build does not support the request (HTTP 501).</summary>
    NotImplemented,
}

/// <summary>The HTTP status code for each category, as the Docker Engine API answers.</summary>
public static class ErrorCategoryExtensions
{
    public static int ToHttpStatusCode(this ErrorCategory category) => category switch
    {
        ErrorCategory.InvalidParameter => 400,
        ErrorCategory.NotFound => 404,
        ErrorCategory.Conflict => 409,
        ErrorCategory.Forbidden => 403,
        ErrorCategory.Unavailable => 503,
        ErrorCategory.NotImplemented => 501,
        _ => 500,
    };
}
