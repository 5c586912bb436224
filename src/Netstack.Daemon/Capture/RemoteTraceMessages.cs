using System.Text.Json.Serialization;
using Netstack.Api.Contracts.Capture;

namespace Netstack.Daemon.Capture;

/// <summary>
/// What two daemons say to each other about a trace, as gossip user messages (sealed with the
/// cluster's key ring; see <see cref="RemoteTrace"/>). The tracing daemon sends <c>listen</c> to
/// the nodes of the probe's overlay network; the one that has the destination captures its hops and
/// answers <c>listening</c> (the others <c>listening</c> with <see cref="NotHere"/>), then sends
/// <c>hops</c> after <c>stop</c> or at its own deadline, whichever comes first.
/// </summary>
internal sealed class RemoteTraceMessage
{
    public const string Listen = "listen";
    public const string Listening = "listening";
    public const string Stop = "stop";
    public const string HopsKind = "hops";

    public string Kind { get; set; } = string.Empty;

    /// <summary>The trace's id, chosen by the tracing daemon.</summary>
    public string Id { get; set; } = string.Empty;

    // listen
    public string? NetworkId { get; set; }

    public string? Source { get; set; }

    public string? Destination { get; set; }

    public ushort IcmpId { get; set; }

    public ushort? TcpSourcePort { get; set; }

    public ushort TcpPort { get; set; }

    /// <summary>How long the remote captures at most (it stops by itself then, stop or no stop).</summary>
    public double Seconds { get; set; }

    // listening, hops
    /// <summary>The destination is not a container of this node (listening).</summary>
    public bool NotHere { get; set; }

    /// <summary>Why the node cannot capture for this trace (listening).</summary>
    public string? Error { get; set; }

    public List<TraceHop>? Hops { get; set; }

    public List<string>? Notes { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemoteTraceMessage))]
internal sealed partial class RemoteTraceJsonContext : JsonSerializerContext
{
}
