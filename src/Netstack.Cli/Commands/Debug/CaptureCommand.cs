using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Serialization;

namespace Netstack.Cli.Commands.Debug;

/// <summary>
/// <c>netstack debug capture TARGET [--filter BPF] [-c N] [--duration D] [-w FILE] [--json]</c>. The
/// daemon captures in the target's namespaces and streams; this prints a line per packet (tcpdump's
/// default), a JSON object per packet, or writes a pcap file. Ctrl-C closes the connection, which
/// stops the daemon's capture; the counts go to stderr as tcpdump prints them.
/// </summary>
internal static class CaptureCommand
{
    internal static readonly Argument<string> Target = new("TARGET")
    {
        Description = "A container or sandbox, network:NAME, endpoint:ID, or underlay",
    };

    internal static readonly Option<string?> Filter = new("--filter", "-f") { Description = "BPF filter, in tcpdump's syntax (e.g. 'icmp or udp port 53')" };
    internal static readonly Option<long?> Count = new("--count", "-c") { Description = "Stop after this many packets" };
    internal static readonly Option<string?> Duration = new("--duration") { Description = "Stop after this long (e.g. 10s, 500ms, 2m; plain numbers are seconds)" };
    internal static readonly Option<string?> Write = new("--write", "-w") { Description = "Write the packets to a pcap file (pcapng when several interfaces) instead of printing them" };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object per packet (summary and decoded fields)" };
    internal static readonly Option<int?> Snaplen = new("--snaplen", "-s") { Description = "Bytes kept of each frame (default: whole frames)" };

    public static Command Build(CliContext context)
    {
        var command = new Command("capture", "Capture packets where a container, network, endpoint or the underlay sends them, decoded through VXLAN")
        {
            Target, Filter, Count, Duration, Write, Json, Snaplen,
        };
        CommandAction.Set(command, context, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, ApiClient client, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        var path = parse.GetValue(Write);
        var json = parse.GetValue(Json);
        var request = new CaptureRequest
        {
            Target = parse.GetRequiredValue(Target),
            Filter = parse.GetValue(Filter),
            Count = parse.GetValue(Count),
            DurationSeconds = parse.GetValue(Duration) is { } d ? ParseDuration(d) : null,
            Snaplen = parse.GetValue(Snaplen),
            Raw = path is not null,
            Decode = path is null || json,
        };

        // The file is made before the capture starts, so a path that cannot be written fails before anything runs.
        FileStream? file = null;
        if (path is not null)
        {
            try
            {
                file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new FormatException($"invalid -w/--write \"{path}\": cannot write it: {e.Message}");
            }
        }
        var interfaces = new List<CaptureInterfaceInfo>();
        PcapFileWriter? pcap = null;
        long packets = 0;
        CaptureEnd? end = null;
        try
        {
            CaptureStreamReader reader;
            try
            {
                reader = await client.CaptureAsync(request, ct).ConfigureAwait(false);
            }
            catch
            {
                if (file is not null)
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                    File.Delete(path!);
                    file = null;
                }
                throw;
            }
            using (reader)
            {
                try
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false) is { } record)
                    {
                        switch (record)
                        {
                            case CaptureEvent { Type: CaptureEvent.InterfaceType, Interface: { } i }:
                                interfaces.Add(i);
                                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                                    $"capturing on {i.Name} ({i.Role}), link-type {LinkTypeName(i.LinkType)}, snapshot length {i.Snaplen} bytes")).ConfigureAwait(false);
                                break;
                            case CaptureEvent { Type: CaptureEvent.PacketType, Packet: { } p }:
                                if (path is null)
                                {
                                    packets++;
                                }
                                await output.WriteLineAsync(json
                                    ? JsonSerializer.Serialize(p, CaptureJsonContext.Default.CapturePacket)
                                    : Line(p, interfaces.Count > 1)).ConfigureAwait(false);
                                break;
                            case CaptureEvent { Type: CaptureEvent.EndType, End: { } e }:
                                end = e;
                                break;
                            case CaptureBatchRecord batch:
                                // The daemon sends the frames as pcap records: they go into the file as they are.
                                pcap ??= new PcapFileWriter(file!, interfaces.Select(i => new Api.Client.PcapInterface(i.LinkType, i.Snaplen, i.Name)).ToList());
                                pcap.WriteRecords(batch.Interface, batch.Records.Span, batch.Count);
                                packets += batch.Count;
                                break;
                        }
                    }
                }
                catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or IOException or ApiException)
                {
                    // Ctrl-C: the connection is closed, which ends the daemon's capture.
                }
            }
        }
        finally
        {
            if (file is not null)
            {
                // A capture that saw nothing still leaves a valid, empty file.
                pcap ??= interfaces.Count > 0
                    ? new PcapFileWriter(file, interfaces.Select(i => new Api.Client.PcapInterface(i.LinkType, i.Snaplen, i.Name)).ToList())
                    : null;
                if (pcap is not null)
                {
                    pcap.Dispose();
                }
                else
                {
                    await file.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{packets} packets captured")).ConfigureAwait(false);
        if (end is not null)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{end.Interfaces.Sum(i => i.Received)} packets received by filter")).ConfigureAwait(false);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{end.Interfaces.Sum(i => i.Dropped)} packets dropped by kernel")).ConfigureAwait(false);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{end.Interfaces.Sum(i => i.Read)} packets read from the kernel buffer")).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary><c>12:03:04.123456 eth0 IP ...</c>: local time, and the interface when there are several.</summary>
    internal static string Line(CapturePacket p, bool withInterface)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(p.TimestampMicroseconds / 1000).ToLocalTime();
        var micros = p.TimestampMicroseconds % 1_000_000;
        var stamp = string.Create(CultureInfo.InvariantCulture, $"{time:HH:mm:ss}.{micros:D6}");
        return withInterface ? $"{stamp} {p.InterfaceName} {p.Summary}" : $"{stamp} {p.Summary}";
    }

    /// <summary><c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, or plain seconds.</summary>
    internal static double ParseDuration(string text)
    {
        var t = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                return v * scale;
            }
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw new FormatException($"invalid --duration \"{text}\": expected a length of time such as 10s, 500ms or 2m");
    }

    private static string LinkTypeName(int linkType) => linkType switch
    {
        1 => "EN10MB (Ethernet)",
        113 => "LINUX_SLL (Linux cooked)",
        _ => linkType.ToString(CultureInfo.InvariantCulture),
    };
}
