namespace Netstack.Core;

/// <summary>
/// Base of every error Netstack reports to a user. The message names the object, the field and the
/// bad value; <see cref="Category"/> decides the HTTP status code.
/// </summary>
public abstract class NetstackException : Exception
{
    protected NetstackException(ErrorCategory category, string message, Exception? inner = null)
        : base(message, inner)
    {
        Category = category;
    }

    public ErrorCategory Category { get; }
}

/// <summary>Bad input. <see cref="Field"/> and <see cref="Value"/> say which and what.</summary>
public sealed class InvalidParameterException : NetstackException
{
    public InvalidParameterException(string field, string? value, string reason)
        : base(ErrorCategory.InvalidParameter, Format(field, value, reason))
    {
        Field = field;
        Value = value;
    }

    public string Field { get; }

    public string? Value { get; }

    private static string Format(string field, string? value, string reason) =>
        value is null ? $"invalid {field}: {reason}" : $"invalid {field} \"{value}\": {reason}";
}

/// <summary>An object that does not exist: <c>network "web" not found</c>.</summary>
public sealed class NotFoundException : NetstackException
{
    public NotFoundException(string kind, string reference, string? detail = null)
        : base(ErrorCategory.NotFound, detail is null ? $"{kind} \"{reference}\" not found" : $"{kind} \"{reference}\" not found: {detail}")
    {
        Kind = kind;
        Reference = reference;
    }

    public string Kind { get; }

    public string Reference { get; }
}

/// <summary>A clash with existing state (duplicate name, overlapping subnet, address in use, store revision moved).</summary>
public class ConflictException : NetstackException
{
    public ConflictException(string message, Exception? inner = null)
        : base(ErrorCategory.Conflict, message, inner)
    {
    }
}

/// <summary>An operation that is not allowed on the object in its present state.</summary>
public sealed class ForbiddenException : NetstackException
{
    public ForbiddenException(string message)
        : base(ErrorCategory.Forbidden, message)
    {
    }
}

/// <summary>An exhausted resource (no free address, no free pool) or an unavailable dependency.</summary>
public sealed class UnavailableException : NetstackException
{
    public UnavailableException(string message, Exception? inner = null)
        : base(ErrorCategory.Unavailable, message, inner)
    {
    }
}

/// <summary>Something the driver or this build does not support.</summary>
public sealed class NotImplementedNetstackException : NetstackException
{
    public NotImplementedNetstackException(string message)
        : base(ErrorCategory.NotImplemented, message)
    {
    }
}

/// <summary>A real fault, wrapping the exception that caused it, with the operation named.</summary>
public sealed class InternalException : NetstackException
{
    public InternalException(string message, Exception? inner = null)
        : base(ErrorCategory.Internal, message, inner)
    {
    }
}

/// <summary>
/// Teardown that kept going after failures: every step was tried; <see cref="Errors"/> holds what
/// failed, in the order the steps ran.
/// </summary>
public sealed class TeardownException : NetstackException
{
    public TeardownException(string operation, IReadOnlyList<Exception> errors)
        : base(ErrorCategory.Internal, $"{operation}: {errors.Count} step(s) failed: " + string.Join("; ", errors.Select(e => e.Message)), errors.Count == 1 ? errors[0] : new AggregateException(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<Exception> Errors { get; }
}
