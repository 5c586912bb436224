using System.Net;
using Netstack.Core.Drivers;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Labs;

/// <summary>A sandbox joined to a network by a <see cref="DriverLab{TDriver}"/>: its namespace, the endpoint, address, MAC and the join answer.</summary>
internal sealed record LabSandbox(TestNamespace Ns, string NetworkId, string EndpointId, IPAddress Address, string MacAddress, JoinResult Join)
{
    /// <summary>The sandbox's IPv6 address on an IPv6 network, else null.</summary>
    public IPAddress? AddressV6 { get; init; }
}
