using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Capture;
using Netstack.Api.Serialization;

namespace Netstack.Cli.Commands.Debug;

/// <summary>
/// <c>netstack debug trace CONTAINER DEST [--tcp PORT] [--timeout D] [--json]</c>: the daemon sends
/// one probe from inside the container and captures it at every hop netstack owns on this host;
/// this prints the path, what each hop saw, and where it stopped. Exit 0 when the reply came, 1
/// when it did not (so scripts can test reachability).
/// </summary>
internal static class TraceCommand
{
    internal static readonly Argument<string> Container = new("CONTAINER") { Description = "The container or sandbox the probe leaves from" };
    internal static readonly Argument<string> Destination = new("DEST") { Description = "An IPv4 address or a container's name" };
    internal static readonly Option<int?> Tcp = new("--tcp") { Description = "Probe with a TCP SYN to this port instead of an ICMP echo" };
    internal static readonly Option<string?> Timeout = new("--timeout") { Description = "How long to wait for the reply (default 2s)" };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the daemon's answer as JSON" };

    public static Command Build(CliContext context)
    {
        var command = new Command("trace", "Send a probe from a container and show every hop netstack owns that saw it, and where it stopped")
        {
            Container, Destination, Tcp, Timeout, Json,
        };
        CommandAction.Set(command, context, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, ApiClient client, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var result = await client.TraceAsync(new TraceRequest
        {
            Container = parse.GetRequiredValue(Container),
            Destination = parse.GetRequiredValue(Destination),
            TcpPort = parse.GetValue(Tcp),
            TimeoutSeconds = parse.GetValue(Timeout) is { } t ? CaptureCommand.ParseDuration(t) : null,
        }, ct).ConfigureAwait(false);
        if (parse.GetValue(Json))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(result, CaptureJsonContext.Default.TraceResult)).ConfigureAwait(false);
        }
        else
        {
            foreach (var line in Describe(result))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        return result.ReplyReceived ? 0 : 1;
    }

    internal static IEnumerable<string> Describe(TraceResult r)
    {
        var to = r.DestinationName is { } name ? $"{r.Destination} ({name})" : r.Destination;
        yield return $"trace {r.Container} ({r.Source}) -> {to}: {r.Probe}";
        var width = r.Hops.Count == 0 ? 0 : r.Hops.Max(h => h.Role.Length);
        for (var i = 0; i < r.Hops.Count; i++)
        {
            var h = r.Hops[i];
            var mark = r.StoppedAt == h.Role ? "  <- stopped here" : "";
            var seen = h.Error is not null
                ? "not captured: " + h.Error
                : string.Create(CultureInfo.InvariantCulture, $"request {Seen(h.RequestsSeen)}, reply {Seen(h.RepliesSeen)}{Arp(h)}");
            yield return string.Create(CultureInfo.InvariantCulture, $"  {i + 1}  {h.Role.PadRight(width)}  {seen}{mark}");
        }
        yield return r.ReplyReceived
            ? string.Create(CultureInfo.InvariantCulture, $"reply received{(r.TcpAnswer is { } a ? $" (port {a})" : "")} in {r.RoundTripMilliseconds:0.###} ms")
            : "no reply";
        yield return r.Verdict;
        foreach (var note in r.Notes)
        {
            yield return "note: " + note;
        }
    }

    private static string Seen(int count) => count switch
    {
        0 => "not seen",
        1 => "seen",
        _ => string.Create(CultureInfo.InvariantCulture, $"seen x{count}"),
    };

    private static string Arp(TraceHop h) => h.ArpRequestsSeen == 0 && h.ArpRepliesSeen == 0
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $", arp who-has x{h.ArpRequestsSeen} / is-at x{h.ArpRepliesSeen}");
}
