namespace Netstack.Runtime;

/// <summary>What kind of failure a runtime error is; the API maps it to an HTTP status.</summary>
public enum RuntimeErrorKind
{
    /// <summary>Bad input (400): a field has a bad value.</summary>
    InvalidArgument,

    /// <summary>The image or container does not exist (404).</summary>
    NotFound,

    /// <summary>The request clashes with the current state (409): name taken, image in use, container running.</summary>
    Conflict,

    /// <summary>runc, tar or the kernel failed (500).</summary>
    Failed,
}

/// <summary>A runtime error with its category; the message names the object, the field and the bad value.</summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException()
    {
    }

    public RuntimeException(string message)
        : base(message)
    {
    }

    public RuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RuntimeException(RuntimeErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public RuntimeErrorKind Kind { get; } = RuntimeErrorKind.Failed;

    internal static RuntimeException Invalid(string message) => new(RuntimeErrorKind.InvalidArgument, message);

    internal static RuntimeException NotFound(string message) => new(RuntimeErrorKind.NotFound, message);

    internal static RuntimeException Conflict(string message) => new(RuntimeErrorKind.Conflict, message);

    internal static RuntimeException Failed(string message, Exception? inner = null) => new(RuntimeErrorKind.Failed, message, inner);
}
