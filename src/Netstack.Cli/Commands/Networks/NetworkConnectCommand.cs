using System.CommandLine;
using Netstack.Api.Contracts.Networks;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network connect [--ip] [--ip6] [--alias]... NETWORK CONTAINER|SANDBOX</c>.</summary>
internal static class NetworkConnectCommand
{
    internal static readonly Option<string?> Ip = new Option<string?>("--ip") { Description = "IPv4 address" }.Each(Validate.Ip);
    internal static readonly Option<string?> Ip6 = new Option<string?>("--ip6") { Description = "IPv6 address" }.Each(Validate.Ip);
    internal static readonly Option<string[]> Alias = new("--alias") { Description = "Network-scoped alias" };
    internal static readonly Option<string[]> DriverOpt = new Option<string[]>("--driver-opt") { Description = "Driver options for the endpoint (KEY=VALUE)" }.Each(Validate.KeyValue);
    internal static readonly Argument<string> Network = new("NETWORK");
    internal static readonly Argument<string> Target = new("CONTAINER") { Description = "Container or sandbox name or id" };

    public static Command Build(CliContext context)
    {
        var command = new Command("connect", "Connect a container or sandbox to a network") { Ip, Ip6, Alias, DriverOpt, Network, Target };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            await client.ConnectNetworkAsync(parse.GetRequiredValue(Network), BuildRequest(parse), ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static NetworkConnectRequest BuildRequest(ParseResult parse)
    {
        var ip = parse.GetValue(Ip);
        var ip6 = parse.GetValue(Ip6);
        var aliases = parse.GetValue(Alias) ?? [];
        var driverOpts = KeyValue.ToMap("--driver-opt", parse.GetValue(DriverOpt));
        return new NetworkConnectRequest
        {
            Container = parse.GetRequiredValue(Target),
            EndpointConfig = new EndpointSettings
            {
                IpamConfig = ip is null && ip6 is null ? null : new EndpointIpamConfig { IPv4Address = ip, IPv6Address = ip6 },
                Aliases = aliases.Length == 0 ? null : [.. aliases],
                DriverOpts = driverOpts.Count == 0 ? null : driverOpts,
            },
        };
    }
}
