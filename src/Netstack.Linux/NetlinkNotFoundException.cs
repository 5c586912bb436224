namespace Netstack.Linux;

/// <summary>The kernel has no such object (device, address, route, neighbour or namespace).</summary>
public sealed class NetlinkNotFoundException : NetlinkException
{
    public NetlinkNotFoundException(string operation, Errno errno, string? kernelMessage = null, string? hint = null)
        : base(operation, errno, kernelMessage, hint)
    {
    }

    public NetlinkNotFoundException()
    {
    }

    public NetlinkNotFoundException(string message)
        : base(message)
    {
    }

    public NetlinkNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
