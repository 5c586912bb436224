using System.Net;

namespace Netstack.Drivers.Overlay;

/// <summary>A node taking part in an overlay network: its cluster name and tunnel endpoint (VTEP) address.</summary>
public sealed record OverlayPeer(string Node, IPAddress Address);
