namespace Netstack.Linux;

/// <summary>
/// A kernel call failed. Carries the errno and the operation, and reads like
/// <c>link add br-x: File exists (EEXIST)</c>, with the kernel's own extended-ack text appended when
/// it gave one.
/// </summary>
public class NetlinkException : Exception
{
    public NetlinkException(string operation, Errno errno, string? kernelMessage = null, string? hint = null)
        : base(Compose(operation, errno, kernelMessage, hint))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    public NetlinkException()
        : this("netlink", Errno.None)
    {
    }

    public NetlinkException(string message)
        : base(message)
    {
        Operation = "netlink";
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "netlink";
    }

    /// <summary>What was attempted, e.g. <c>link add br-x</c>.</summary>
    public string Operation { get; }

    /// <summary>The errno the kernel (or libc) returned.</summary>
    public Errno Errno { get; }

    /// <summary>The kernel's extended-ack message (NLMSGERR_ATTR_MSG), if any.</summary>
    public string? KernelMessage { get; }

    /// <summary>The object named in the request does not exist (ENODEV, ENOENT, ESRCH, EADDRNOTAVAIL on delete).</summary>
    public bool IsNotFound => Errno is Errno.ENODEV or Errno.ENOENT or Errno.ESRCH;

    /// <summary>The object to create exists already.</summary>
    public bool IsExists => Errno == Errno.EEXIST;

    internal static NetlinkException Create(string operation, Errno errno, string? kernelMessage = null, string? hint = null) =>
        errno is Errno.ENODEV or Errno.ENOENT or Errno.ESRCH
            ? new NetlinkNotFoundException(operation, errno, kernelMessage, hint)
            : new NetlinkException(operation, errno, kernelMessage, hint);

    private static string Compose(string operation, Errno errno, string? kernelMessage, string? hint)
    {
        var text = $"{operation}: {ErrnoText.Describe(errno)}";
        if (!string.IsNullOrEmpty(kernelMessage))
        {
            text += $": {kernelMessage}";
        }
        if (!string.IsNullOrEmpty(hint))
        {
            text += $" ({hint})";
        }
        return text;
    }
}
