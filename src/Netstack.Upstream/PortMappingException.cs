namespace Netstack.Upstream;

/// <summary>Why a router did not give a mapping.</summary>
public enum PortMappingFailure
{
    /// <summary>No answer within the bounded time (no router speaks this protocol, or it is down).</summary>
    Timeout,

    /// <summary>The router does not speak this protocol or version.</summary>
    Unsupported,

    /// <summary>The external port is taken (by another host or another mechanism).</summary>
    Conflict,

    /// <summary>The router refused (not authorized, out of resources, policy, a SOAP fault).</summary>
    Refused,

    /// <summary>The router answered something that is not the protocol (wrong size, bad XML, oversized).</summary>
    Malformed,
}

/// <summary>A mapping operation that failed, with the protocol, the kind and the router's words.</summary>
public sealed class PortMappingException : Exception
{
    public PortMappingException(UpstreamProtocol protocol, PortMappingFailure failure, string message, Exception? inner = null)
        : base($"{UpstreamNames.Of(protocol)}: {message}", inner)
    {
        Protocol = protocol;
        Failure = failure;
    }

    public PortMappingException()
    {
    }

    public PortMappingException(string message) : base(message)
    {
    }

    public PortMappingException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public UpstreamProtocol Protocol { get; }

    public PortMappingFailure Failure { get; }

    /// <summary>The router's own error code when it gave one (NAT-PMP/PCP result code, UPnP errorCode).</summary>
    public int? RouterCode { get; init; }
}
