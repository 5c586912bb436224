using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Contracts.Upstream;
using Netstack.Api.Serialization;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Debug;

/// <summary><c>netstack debug capture</c> (packets, see <see cref="CaptureCommand"/>), <c>netstack debug trace</c> (one probe followed hop by hop, see <see cref="TraceCommand"/>) and <c>netstack debug upstream</c>: the upstream router the daemon found, its protocol, external address and live mappings.</summary>
internal static class DebugCommand
{
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" }.Each(Validate.Format);

    public static Command Build(CliContext context) => new("debug", "Look into the daemon's workings: capture and decode packets, trace a probe hop by hop, the upstream router")
    {
        CaptureCommand.Build(context),
        TraceCommand.Build(context),
        BuildUpstream(context),
    };

    private static Command BuildUpstream(CliContext context)
    {
        var command = new Command("upstream", "The upstream router (UPnP IGD, NAT-PMP, PCP): gateway, protocol, external address, mappings") { Format };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var status = await client.GetUpstreamAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(Format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(status, UpstreamJsonContext.Default.UpstreamStatus)).ConfigureAwait(false);
                return 0;
            }
            foreach (var line in Describe(status))
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }

    internal static IEnumerable<string> Describe(UpstreamStatus status)
    {
        yield return $"Mode:             {status.Mode}";
        yield return $"State:            {status.State}";
        if (status.Mode == "off")
        {
            yield return "(start netstackd with --upstream-portmap auto to map published ports on the router)";
            yield break;
        }
        yield return $"Gateway:          {Or(status.Gateway)}";
        yield return $"Local address:    {Or(status.LocalAddress)}";
        yield return $"Protocol:         {Or(status.Protocol)}";
        if (status.ControlUrl.Length > 0)
        {
            yield return $"Control URL:      {status.ControlUrl}";
        }
        yield return $"External address: {Or(status.ExternalAddress)}";
        if (status.Error.Length > 0)
        {
            yield return $"Error:            {status.Error}";
        }
        foreach (var attempt in status.Attempts)
        {
            yield return $"Tried:            {attempt}";
        }
        if (status.Leftovers > 0)
        {
            yield return $"Leftovers:        {status.Leftovers} (mappings of an earlier daemon, being removed)";
        }
        yield return "";
        var table = new TableWriter("CONTAINER", "PORT", "HOST PORT", "STATE", "EXTERNAL", "RENEWALS", "RECREATED", "LEASE ENDS", "ERROR");
        foreach (var m in status.Mappings)
        {
            var b = m.Binding;
            table.Add(m.ContainerName, m.Port, b.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture), b.State,
                b.ExternalPort == 0 ? "-" : $"{Or(b.ExternalIp)}:{b.ExternalPort}",
                b.Renewals.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Recreated.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Or(b.LeaseEnds), b.Error);
        }
        using var writer = new StringWriter();
        table.WriteTo(writer);
        foreach (var line in writer.ToString().TrimEnd('\n').Split('\n'))
        {
            yield return line;
        }
    }

    private static string Or(string text) => text.Length == 0 ? "-" : text;
}
