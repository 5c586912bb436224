using System.CommandLine;
using System.Net;
using Netstack.Api.Contracts.Networks;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Networks;

/// <summary><c>network create [-d DRIVER] [--subnet]... [--gateway]... [--ip-range]... [--aux-address]... [-o]... [--label]... NAME</c>.</summary>
internal static class NetworkCreateCommand
{
    internal static readonly Option<string> Driver = new("--driver", "-d") { Description = "Driver to manage the network", DefaultValueFactory = _ => "bridge" };
    internal static readonly Option<string[]> Subnet = new Option<string[]>("--subnet") { Description = "Subnet in CIDR format" }.Each(Validate.Cidr);
    internal static readonly Option<string[]> Gateway = new Option<string[]>("--gateway") { Description = "Gateway for the master subnet" }.Each(Validate.Ip);
    internal static readonly Option<string[]> IpRange = new Option<string[]>("--ip-range") { Description = "Allocate container addresses from a sub-range" }.Each(Validate.Cidr);
    internal static readonly Option<string[]> AuxAddress = new Option<string[]>("--aux-address") { Description = "Reserved addresses (NAME=IP)" }.Each(Validate.AuxAddress);
    internal static readonly Option<string[]> Opt = new Option<string[]>("--opt", "-o") { Description = "Driver options (KEY=VALUE)" }.Each(Validate.KeyValue);
    internal static readonly Option<string[]> Label = new("--label") { Description = "Labels (KEY=VALUE)" };
    internal static readonly Option<string> IpamDriver = new("--ipam-driver") { Description = "IP address management driver", DefaultValueFactory = _ => "default" };
    internal static readonly Option<string[]> IpamOpt = new Option<string[]>("--ipam-opt") { Description = "IPAM driver options (KEY=VALUE)" }.Each(Validate.KeyValue);
    internal static readonly Option<string?> Scope = new Option<string?>("--scope") { Description = "Network scope (local or global)" }.Each(v => v is "local" or "global" ? null : "expected local or global");
    internal static readonly Option<bool> Internal = new("--internal") { Description = "Restrict external access to the network" };
    internal static readonly Option<bool> Attachable = new("--attachable") { Description = "Allow manual attachment of containers and sandboxes" };
    internal static readonly Option<bool> Ipv6 = new("--ipv6") { Description = "Enable IPv6 networking" };
    internal static readonly Argument<string> Name = new("NAME");

    public static Command Build(CliContext context)
    {
        var command = new Command("create", "Create a network")
        {
            Driver, Subnet, Gateway, IpRange, AuxAddress, Opt, Label, IpamDriver, IpamOpt, Scope, Internal, Attachable, Ipv6, Name,
        };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var response = await client.CreateNetworkAsync(BuildRequest(parse), ct).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(response.Warning))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("WARNING: " + response.Warning).ConfigureAwait(false);
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(response.Id).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The request for the parsed flags. As with docker, each <c>--gateway</c>, <c>--ip-range</c> and
    /// <c>--aux-address</c> belongs to the <c>--subnet</c> that contains it.
    /// </summary>
    /// <exception cref="FormatException">A flag value fits no subnet or is given twice for one; the message names flag and value.</exception>
    internal static NetworkCreateRequest BuildRequest(ParseResult parse)
    {
        var subnets = parse.GetValue(Subnet) ?? [];
        var pools = new List<(Cidr Cidr, IpamPoolConfig Config)>();
        foreach (var text in subnets)
        {
            Cidr.TryParse(text, out var cidr);
            if (pools.Any(p => p.Cidr.Contains(cidr) || cidr.Contains(p.Cidr)))
            {
                throw new FormatException($"invalid argument '{text}' for --subnet: it overlaps another --subnet");
            }
            pools.Add((cidr, new IpamPoolConfig { Subnet = text }));
        }

        foreach (var text in parse.GetValue(Gateway) ?? [])
        {
            var pool = PoolOf(pools, "--gateway", text, IPAddress.Parse(text));
            if (pool.Gateway is not null)
            {
                throw new FormatException($"invalid argument '{text}' for --gateway: subnet {pool.Subnet} already has gateway {pool.Gateway}");
            }
            pool.Gateway = text;
        }
        foreach (var text in parse.GetValue(IpRange) ?? [])
        {
            Cidr.TryParse(text, out var range);
            var pool = PoolOf(pools, "--ip-range", text, range.Address);
            if (pool.IpRange is not null)
            {
                throw new FormatException($"invalid argument '{text}' for --ip-range: subnet {pool.Subnet} already has range {pool.IpRange}");
            }
            pool.IpRange = text;
        }
        foreach (var text in parse.GetValue(AuxAddress) ?? [])
        {
            var (name, address) = KeyValue.Parse("--aux-address", text);
            var pool = PoolOf(pools, "--aux-address", text, IPAddress.Parse(address));
            pool.AuxiliaryAddresses ??= [];
            if (!pool.AuxiliaryAddresses.TryAdd(name, address))
            {
                throw new FormatException($"invalid argument '{text}' for --aux-address: name '{name}' is given twice");
            }
        }

        var ipamOptions = KeyValue.ToMap("--ipam-opt", parse.GetValue(IpamOpt));
        return new NetworkCreateRequest
        {
            Name = parse.GetRequiredValue(Name),
            CheckDuplicate = true,
            Driver = parse.GetValue(Driver),
            Scope = parse.GetValue(Scope),
            Internal = parse.GetValue(Internal),
            Attachable = parse.GetValue(Attachable),
            EnableIPv6 = parse.GetValue(Ipv6),
            Ipam = new IpamSettings
            {
                Driver = parse.GetValue(IpamDriver) ?? "default",
                Options = ipamOptions.Count == 0 ? null : ipamOptions,
                Config = pools.Select(p => p.Config).ToList(),
            },
            Options = KeyValue.ToMap("--opt", parse.GetValue(Opt)),
            Labels = KeyValue.LabelMap(parse.GetValue(Label)),
        };
    }

    private static IpamPoolConfig PoolOf(List<(Cidr Cidr, IpamPoolConfig Config)> pools, string flag, string text, IPAddress address)
    {
        foreach (var (cidr, config) in pools)
        {
            if (cidr.Contains(address))
            {
                return config;
            }
        }
        throw new FormatException(pools.Count == 0
            ? $"invalid argument '{text}' for {flag}: {flag} needs a --subnet that contains it"
            : $"invalid argument '{text}' for {flag}: no --subnet contains it");
    }
}
