using System.CommandLine;
using Netstack.Cli.Terminal;
using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Networks;
using Netstack.Api.Ports;
using Netstack.Cli.Diagnostics;
using Netstack.Cli.Output;
using Netstack.Cli.Parsing;

namespace Netstack.Cli.Commands.Containers;

/// <summary>
/// <c>run [-d] [--rm] [--name] [--hostname] [--network NET]... [--ip] [--network-alias]... [-p SPEC]...
/// [--dns]... [-e K=V]... IMAGE [CMD...]</c>: create, start, and unless detached follow the output
/// and exit with the container's status.
/// </summary>
internal static class RunCommand
{
    internal static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Run in the background and print the container id" };
    internal static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep stdin open and send ours to the container" };
    internal static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Give the container a pseudo-terminal" };
    internal static readonly Option<bool> Remove = new("--rm") { Description = "Remove the container when it exits" };
    internal static readonly Option<string?> Name = new("--name") { Description = "Container name" };
    internal static readonly Option<string?> Hostname = new("--hostname") { Description = "Container host name" };
    internal static readonly Option<string[]> Network = new("--network", "--net") { Description = "Connect to a network (repeatable; the first gets --ip and --network-alias)" };
    internal static readonly Option<string?> Ip = new Option<string?>("--ip") { Description = "IPv4 address on the first network" }.Each(Validate.Ip);
    internal static readonly Option<string?> Ip6 = new Option<string?>("--ip6") { Description = "IPv6 address on the first network" }.Each(Validate.Ip);
    internal static readonly Option<string[]> NetworkAlias = new("--network-alias") { Description = "Network-scoped alias on the first network" };
    internal static readonly Option<string[]> Publish = new Option<string[]>("--publish", "-p") { Description = "Publish a port: [HOSTIP:][HOSTPORT:]PORT[/tcp|udp]" }.Each(Validate.PortSpec);
    internal static readonly Option<string[]> Dns = new Option<string[]>("--dns") { Description = "Upstream DNS server" }.Each(Validate.Ip);
    internal static readonly Option<string[]> AddHost = new Option<string[]>("--add-host") { Description = "Add an /etc/hosts entry NAME:IP (repeatable)" }
        .Each(v => v.IndexOfAny([':', '=']) is > 0 and var at && at < v.Length - 1 && StrictAddress.TryParse(v[(at + 1)..].Trim('[', ']'), out _) ? null : "expected NAME:IP, e.g. db.example:10.1.2.3");
    internal static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable KEY=VALUE (KEY alone copies it from this shell)" };
    internal static readonly Option<string[]> Label = new("--label", "-l") { Description = "Labels (KEY=VALUE)" };
    internal static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    internal static readonly Option<string?> User = new("--user", "-u") { Description = "User (UID[:GID]) inside the container" };
    internal static readonly Option<string?> Restart = new Option<string?>("--restart") { Description = "Restart policy: no, always, unless-stopped or on-failure[:N]" }
        .Each(v => ParseRestart(v) is null ? "expected no, always, unless-stopped or on-failure[:N] (N a whole number, 0 or more)" : null);
    internal static readonly Argument<string> Image = new("IMAGE");
    internal static readonly Argument<string[]> Command = new("COMMAND") { Arity = ArgumentArity.ZeroOrMore };

    public static Command Build(CliContext context)
    {
        var command = new Command("run", "Create and start a container")
        {
            Detach, Interactive, Tty, Remove, Name, Hostname, Network, Ip, Ip6, NetworkAlias, Publish, Dns, AddHost, Env, Label, Workdir, User, Restart, Image, Command,
        };
        foreach (var option in RunResourceOptions.All.Concat(RunContainerOptions.All))
        {
            command.Options.Add(option);
        }
        CommandAction.Set(command, context, async (parse, client, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var request = BuildRequest(parse, context.Environment);
            var interactive = !parse.GetValue(Detach) && (request.Tty || request.OpenStdin);
            if (interactive && request.Tty && request.OpenStdin && !LocalTerminal.StdinIsTerminal)
            {
                throw new FormatException("the input device is not a TTY: drop -t, or run on a terminal");
            }
            TimingTrace.Mark("request-built");
            var created = await client.CreateContainerAsync(parse.GetValue(Name), request, ct).ConfigureAwait(false);
            // Attached before the start, as the docker CLI does: no output and no keystroke is missed.
            var session = interactive ? await client.AttachAsync(created.Id, request.OpenStdin, ct: ct).ConfigureAwait(false) : null;
            // Asked before the start too: with --rm the container may be gone before we could ask for its code.
            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // On a thread of its own: the CLI's client may use blocking sockets, and this answer comes at the exit.
            var wait = interactive ? Task.Run(() => client.WaitContainerAsync(created.Id, parse.GetValue(Remove) ? "removed" : "next-exit", waitCancel.Token), ct) : null;
            foreach (var warning in created.Warnings)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
            }
            try
            {
                await client.StartContainerAsync(created.Id, ct).ConfigureAwait(false);
            }
            catch (ApiException) when (parse.GetValue(Remove))
            {
                // A container that never started is not kept for --rm.
                await client.RemoveContainerAsync(created.Id, force: true, ct).ConfigureAwait(false);
                throw;
            }
            if (parse.GetValue(Detach))
            {
                await output.WriteLineAsync(created.Id).ConfigureAwait(false);
                return 0;
            }
            if (session is not null)
            {
                await using (session.ConfigureAwait(false))
                {
                    await InteractiveSession.RunAsync(session, request.Tty, request.OpenStdin,
                        request.Tty ? (h, w) => client.ResizeContainerAsync(created.Id, h, w, ct) : null, ct).ConfigureAwait(false);
                }
                var code = await ExitCodeAfterSessionAsync(client, created.Id, wait, ct).ConfigureAwait(false);
                await waitCancel.CancelAsync().ConfigureAwait(false);
                return code;
            }
            return await AttachAsync(parse, client, created.Id, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>After an interactive session: 0 when the user detached (the container runs on), else the container's exit code.</summary>
    internal static async Task<int> ExitCodeAfterSessionAsync(ApiClient client, string id, Task<ContainerWaitResponse>? wait, CancellationToken ct)
    {
        try
        {
            if ((await client.InspectContainerAsync(id, ct).ConfigureAwait(false)).State.Running)
            {
                return 0;
            }
        }
        catch (ApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound && wait is not null)
        {
            // Removed by --rm: the wait asked before the start has the code.
        }
        return (await (wait ?? client.WaitContainerAsync(id, ct)).ConfigureAwait(false)).StatusCode;
    }

    private static async Task<int> AttachAsync(ParseResult parse, ApiClient client, string id, CancellationToken ct)
    {
        var stdout = Console.OpenStandardOutput();
        var stderr = Console.OpenStandardError();
        await using (stdout.ConfigureAwait(false))
        await using (stderr.ConfigureAwait(false))
        {
            await client.LogsAsync(id, follow: true, stdout, stderr, ct).ConfigureAwait(false);
        }
        try
        {
            var exit = await client.WaitContainerAsync(id, ct).ConfigureAwait(false);
            return exit.StatusCode;
        }
        catch (ApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound && parse.GetValue(Remove))
        {
            // Removed by --rm before the wait was asked; the output has been shown.
            return 0;
        }
    }

    /// <summary>The engine request for the parsed flags.</summary>
    /// <exception cref="FormatException">A flag value is inconsistent (e.g. <c>--ip</c> without <c>--network</c>); the message names it.</exception>
    internal static ContainerCreateRequest BuildRequest(ParseResult parse, Func<string, string?> environment)
    {
        var specs = (parse.GetValue(Publish) ?? []).SelectMany(PortSpec.Parse).ToList();
        var (exposed, bindings) = PortSpec.ToEngine(specs);
        var networks = parse.GetValue(Network) ?? [];
        var ip = parse.GetValue(Ip);
        var ip6 = parse.GetValue(Ip6);
        var aliases = parse.GetValue(NetworkAlias) ?? [];
        if (networks.Length == 0 && (ip is not null || ip6 is not null || aliases.Length > 0))
        {
            throw new FormatException("--ip, --ip6 and --network-alias need a --network");
        }
        var duplicate = networks.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FormatException($"invalid argument '{duplicate.Key}' for --network: given twice");
        }

        var endpoints = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        for (var i = 0; i < networks.Length; i++)
        {
            if (NetworkModes.IsSpecial(networks[i]))
            {
                // none, host, container:X and sandbox:X are modes, not networks to join: they go in
                // NetworkMode only, as the docker CLI sends them (the daemon refuses them as endpoints).
                continue;
            }
            endpoints[networks[i]] = i == 0
                ? new EndpointSettings
                {
                    IpamConfig = ip is null && ip6 is null ? null : new EndpointIpamConfig { IPv4Address = ip, IPv6Address = ip6 },
                    Aliases = aliases.Length == 0 ? null : [.. aliases],
                }
                : new EndpointSettings();
        }

        var dns = parse.GetValue(Dns) ?? [];
        var restart = parse.GetValue(Restart);
        var command = parse.GetValue(Command) ?? [];
        var workdir = parse.GetValue(Workdir);
        var request = new ContainerCreateRequest
        {
            Image = parse.GetRequiredValue(Image),
            Cmd = command.Length == 0 ? null : [.. command],
            Env = BuildEnv(parse.GetValue(Env) ?? [], environment),
            Hostname = parse.GetValue(Hostname),
            WorkingDir = workdir,
            User = parse.GetValue(User),
            Labels = KeyValue.LabelMap(parse.GetValue(Label)),
            ExposedPorts = exposed.Count == 0 ? null : exposed,
            AttachStdout = !parse.GetValue(Detach),
            AttachStderr = !parse.GetValue(Detach),
            Tty = parse.GetValue(Tty),
            OpenStdin = parse.GetValue(Interactive),
            // As docker run: an attached -i closes the container's stdin when our input ends.
            StdinOnce = parse.GetValue(Interactive) && !parse.GetValue(Detach),
            AttachStdin = parse.GetValue(Interactive) && !parse.GetValue(Detach),
            HostConfig = new HostConfig
            {
                NetworkMode = networks.Length == 0 ? "default" : networks[0],
                PortBindings = bindings.Count == 0 ? null : bindings,
                Dns = dns.Length == 0 ? null : [.. dns],
                ExtraHosts = parse.GetValue(AddHost) is { Length: > 0 } extra ? [.. extra] : null,
                AutoRemove = parse.GetValue(Remove),
                RestartPolicy = restart is null ? null : ParseRestart(restart),
            },
            NetworkingConfig = endpoints.Count == 0 ? null : new NetworkingConfig { EndpointsConfig = endpoints },
        };
        RunResourceOptions.Apply(parse, request.HostConfig);
        RunContainerOptions.Apply(parse, request, environment);
        return request;
    }

    /// <summary><c>--restart</c> as the engine's policy (<c>on-failure:3</c> is on-failure with 3 retries); null when it does not parse.</summary>
    internal static RestartPolicy? ParseRestart(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? value : value[..colon];
        if (name is not ("no" or "always" or "unless-stopped" or "on-failure"))
        {
            return null;
        }
        if (colon < 0)
        {
            return new RestartPolicy { Name = name };
        }
        return name == "on-failure" && int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var retries)
            ? new RestartPolicy { Name = name, MaximumRetryCount = retries }
            : null;
    }

    /// <summary><c>-e KEY=VALUE</c> as given; <c>-e KEY</c> takes KEY from this environment and is dropped when unset, as docker does.</summary>
    internal static List<string>? BuildEnv(string[] flags, Func<string, string?> environment)
    {
        var env = new List<string>();
        foreach (var flag in flags)
        {
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0 || flag.Length == 0)
            {
                throw new FormatException($"invalid argument '{flag}' for --env: expected KEY=VALUE or KEY");
            }
            if (eq > 0)
            {
                env.Add(flag);
            }
            else if (environment(flag) is { } value)
            {
                env.Add(flag + "=" + value);
            }
        }
        return env.Count == 0 ? null : env;
    }

    internal static string DescribePorts(IEnumerable<PortSummary> ports) =>
        string.Join(", ", ports.Select(p => p.PublicPort is { } pub
            ? $"{(string.IsNullOrEmpty(p.IP) ? "0.0.0.0" : p.IP)}:{pub}->{p.PrivatePort}/{p.Type}"
            : $"{p.PrivatePort}/{p.Type}"));

    internal static string ShortCommand(string command) =>
        "\"" + (command.Length > 20 ? command[..19] + "…" : command) + "\"";

    internal static string Describe(ContainerSummary c) => ShortId.Of(c.Id);
}
