namespace Netstack.Api.Contracts.Capture;

/// <summary>
/// netstack's own <c>POST /debug/capture</c>: what to capture, and how much. The answer is a stream
/// of <see cref="CaptureStreamFormat"/> records that ends when a limit is reached or the client goes.
/// </summary>
public sealed class CaptureRequest
{
    /// <summary>A container or sandbox (name or id), <c>network:NAME</c>, <c>endpoint:ID</c>, or <c>underlay</c>.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>A BPF filter in tcpdump's syntax; applied in the kernel.</summary>
    public string? Filter { get; set; }

    /// <summary>Stop after this many packets (1 or more); null for no limit.</summary>
    public long? Count { get; set; }

    /// <summary>Stop after this many seconds (more than 0); null for no limit.</summary>
    public double? DurationSeconds { get; set; }

    /// <summary>Bytes kept of each frame (tcpdump's -s); null for whole frames.</summary>
    public int? Snaplen { get; set; }

    /// <summary>Send each packet decoded (a JSON record with its summary line and fields).</summary>
    public bool Decode { get; set; } = true;

    /// <summary>Send each packet's bytes (a binary record), for a pcap file.</summary>
    public bool Raw { get; set; }
}
