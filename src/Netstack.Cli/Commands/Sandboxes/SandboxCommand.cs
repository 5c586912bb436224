using System.CommandLine;
using System.Text.Json;
using Netstack.Api.Contracts.Sandboxes;
using Netstack.Api.Serialization;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Sandboxes;

/// <summary>
/// <c>netstack sandbox create|ls|rm</c>: named network namespaces without a container, so any process
/// (<c>ip netns exec</c>, <c>nsenter --net=KEY</c>) can be attached to networks.
/// </summary>
internal static class SandboxCommand
{
    internal static readonly Argument<string> CreateName = new("NAME");
    internal static readonly Option<string?> Hostname = new("--hostname") { Description = "Host name for the sandbox's /etc/hosts (default NAME)" };
    internal static readonly Option<string[]> Dns = new Option<string[]>("--dns") { Description = "Upstream DNS server" }.Each(Validate.Ip);
    internal static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Only display names" };
    internal static readonly Option<string> Format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" }.Each(Validate.Format);
    internal static readonly Argument<string[]> RemoveNames = new("NAME") { Arity = ArgumentArity.OneOrMore };

    public static Command Build(CliContext context) => new("sandbox", "Manage sandboxes (network namespaces without a container)")
    {
        BuildCreate(context),
        BuildList(context),
        BuildRemove(context),
    };

    private static Command BuildCreate(CliContext context)
    {
        var command = new Command("create", "Create a sandbox") { Hostname, Dns, CreateName };
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var dns = parse.GetValue(Dns) ?? [];
            var sandbox = await client.CreateSandboxAsync(new SandboxCreateRequest
            {
                Name = parse.GetRequiredValue(CreateName),
                Hostname = parse.GetValue(Hostname),
                Dns = dns.Length == 0 ? null : [.. dns],
            }, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync(sandbox.Key).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command BuildList(CliContext context)
    {
        var command = new Command("ls", "List sandboxes") { Quiet, Format };
        command.Aliases.Add("list");
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var sandboxes = await client.ListSandboxesAsync(ct).ConfigureAwait(false);
            sandboxes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            if (parse.GetValue(Quiet))
            {
                foreach (var sandbox in sandboxes)
                {
                    await output.WriteLineAsync(sandbox.Name).ConfigureAwait(false);
                }
                return 0;
            }
            if (parse.GetValue(Format) == "json")
            {
                foreach (var sandbox in sandboxes)
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(sandbox, ApiJsonContext.Default.SandboxResource)).ConfigureAwait(false);
                }
                return 0;
            }
            var table = new TableWriter("SANDBOX ID", "NAME", "CONTAINER", "KEY", "ENDPOINTS");
            foreach (var sandbox in sandboxes)
            {
                var endpoints = string.Join(", ", sandbox.Endpoints.Select(e => $"{e.Interface}@{e.Network} {e.IPv4Address}".Trim()));
                table.Add(ShortId.Of(sandbox.Id), sandbox.Name, ShortId.Of(sandbox.ContainerId), sandbox.Key, endpoints);
            }
            table.WriteTo(output);
            return 0;
        });
        return command;
    }

    private static Command BuildRemove(CliContext context)
    {
        var command = new Command("rm", "Remove one or more sandboxes (their endpoints are disconnected)") { RemoveNames };
        command.Aliases.Add("remove");
        CommandAction.Set(command, context, (parse, client, ct) =>
            CommandAction.ForEachConcurrentAsync(parse, parse.GetRequiredValue(RemoveNames), name => client.RemoveSandboxAsync(name, ct)));
        return command;
    }
}
