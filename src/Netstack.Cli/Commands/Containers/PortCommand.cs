using System.CommandLine;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Ports;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>port CONTAINER [PORT[/PROTO]]</c>: the container's published ports, one line per host
/// binding as Docker prints them (<c>80/tcp -> 0.0.0.0:8080</c>); with a port, only its host sides.
/// </summary>
internal static class PortCommand
{
    internal static readonly Argument<string> Container = new("CONTAINER");
    internal static readonly Argument<string?> Port = new("PORT") { Arity = ArgumentArity.ZeroOrOne, Description = "PORT[/PROTO], proto tcp (default) or udp" };

    public static Command Build(CliContext context)
    {
        var command = new Command("port", "List port mappings or a specific mapping for the container") { Container, Port };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var name = parse.GetRequiredValue(Container);
            var wanted = parse.GetValue(Port) is { } port ? Normalize(port) : null;
            var inspect = await client.InspectContainerAsync(name, ct).ConfigureAwait(false);
            var lines = Lines(inspect.NetworkSettings.Ports, wanted);
            lines.AddRange(UpstreamLines(inspect.NetworkSettings.UpstreamPorts, wanted));
            if (wanted is not null && lines.Count == 0)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"Error: No public port '{wanted}' published for {name}").ConfigureAwait(false);
                return 1;
            }
            foreach (var line in lines)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(line).ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }

    /// <summary>"80" → "80/tcp", "53/UDP" → "53/udp"; the engine's port-key parser refuses anything else, naming the value.</summary>
    internal static string Normalize(string spec)
    {
        var (port, protocol) = PortSpec.ParseKey(spec);
        return $"{port}/{protocol}";
    }

    /// <summary>Docker's lines: without a port "PORT/PROTO -> IP:HOSTPORT", with one just "IP:HOSTPORT" (IPv6 in brackets).</summary>
    internal static List<string> Lines(Dictionary<string, List<PortBinding>?> ports, string? wanted)
    {
        var lines = new List<string>();
        foreach (var (key, bindings) in ports.OrderBy(p => PortNumber(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (bindings is null || (wanted is not null && key != wanted))
            {
                continue;
            }
            foreach (var binding in bindings)
            {
                var ip = string.IsNullOrEmpty(binding.HostIp) ? "0.0.0.0" : binding.HostIp;
                var host = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{binding.HostPort}" : $"{ip}:{binding.HostPort}";
                lines.Add(wanted is null ? $"{key} -> {host}" : host);
            }
        }
        return lines;
    }

    /// <summary>
    /// netstack's addition: where the upstream router forwards from, after the host lines
    /// (<c>80/tcp -> 100.200.17.1:8080 (upstream pcp)</c>), or why it does not yet
    /// (<c>80/tcp -> upstream pending: ...</c>).
    /// </summary>
    internal static List<string> UpstreamLines(Dictionary<string, List<Api.Contracts.Upstream.UpstreamPortBinding>>? ports, string? wanted)
    {
        var lines = new List<string>();
        foreach (var (key, bindings) in (ports ?? []).OrderBy(p => PortNumber(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (wanted is not null && key != wanted)
            {
                continue;
            }
            foreach (var binding in bindings)
            {
                var text = binding.State == "mapped"
                    ? $"{(binding.ExternalIp.Length == 0 ? "?" : binding.ExternalIp)}:{binding.ExternalPort} (upstream {binding.Protocol})"
                    : $"upstream {binding.State}{(binding.Error.Length == 0 ? "" : ": " + binding.Error)}";
                lines.Add(wanted is null ? $"{key} -> {text}" : text);
            }
        }
        return lines;
    }

    private static int PortNumber(string key) =>
        int.TryParse(key.Split('/')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
}
