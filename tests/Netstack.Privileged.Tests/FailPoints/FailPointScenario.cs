using Netstack.Privileged.Tests.Api;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>
/// One operation of the fail-point matrix: what must exist before it (made on an unarmed daemon),
/// the operation itself, what it must leave acknowledged whatever happens, and how to repeat or
/// undo it afterwards. Every command goes through our CLI, as a user's would.
/// </summary>
internal sealed record FailPointScenario
{
    public const string Network = "fpnet";
    public const string Subnet = "10.97.0.0/24";
    public const string Sandbox = "fpsb";
    public const string Container = "fpc";
    public const string HostPort = "18080";

    public required string Name { get; init; }

    /// <summary>Made before the daemon is armed; null when the operation needs nothing.</summary>
    public Func<NetstackdProcess, Task>? Setup { get; init; }

    /// <summary>The operation under the fail point.</summary>
    public required string[] Operation { get; init; }

    /// <summary>Objects the setup made that must still be there after the operation (kind, name).</summary>
    public IReadOnlyList<(string Kind, string Name)> Acknowledged { get; init; } = [];

    /// <summary>After the restart: undoes what the operation left (if anything), then does it again; every step must succeed.</summary>
    public required Func<NetstackdProcess, Task> RepeatOrUndo { get; init; }

    public override string ToString() => Name;

    private static readonly string[] CreateNetwork = ["network", "create", "--subnet", Subnet, Network];
    private static readonly string[] CreateContainer = ["create", "--name", Container, "--network", Network, "-p", HostPort + ":80", "busybox", "sleep", "600"];
    private static readonly string[] RunContainer = ["run", "-d", "--name", Container, "--network", Network, "-p", HostPort + ":80", "busybox", "sleep", "600"];

    public static readonly FailPointScenario NetworkCreate = new()
    {
        Name = "network create",
        Operation = CreateNetwork,
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "network", Network))
            {
                await MustAsync(d, "network", "rm", Network);
            }
            await MustAsync(d, CreateNetwork);
        },
    };

    public static readonly FailPointScenario NetworkRemove = new()
    {
        Name = "network rm",
        Setup = d => MustAsync(d, CreateNetwork),
        Operation = ["network", "rm", Network],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "network", Network))
            {
                await MustAsync(d, "network", "rm", Network);
            }
            // The subnet must be free again.
            await MustAsync(d, CreateNetwork);
        },
    };

    public static readonly FailPointScenario Connect = new()
    {
        Name = "network connect (endpoint create and join)",
        Setup = async d =>
        {
            await MustAsync(d, CreateNetwork);
            await MustAsync(d, "sandbox", "create", Sandbox);
        },
        Operation = ["network", "connect", Network, Sandbox],
        Acknowledged = [("network", Network), ("sandbox", Sandbox)],
        RepeatOrUndo = async d =>
        {
            if (await ConnectedAsync(d))
            {
                await MustAsync(d, "network", "disconnect", Network, Sandbox);
            }
            await MustAsync(d, "network", "connect", Network, Sandbox);
        },
    };

    public static readonly FailPointScenario Disconnect = new()
    {
        Name = "network disconnect (endpoint leave and delete)",
        Setup = async d =>
        {
            await MustAsync(d, CreateNetwork);
            await MustAsync(d, "sandbox", "create", Sandbox);
            await MustAsync(d, "network", "connect", Network, Sandbox);
        },
        Operation = ["network", "disconnect", Network, Sandbox],
        Acknowledged = [("network", Network), ("sandbox", Sandbox)],
        RepeatOrUndo = async d =>
        {
            if (await ConnectedAsync(d))
            {
                await MustAsync(d, "network", "disconnect", Network, Sandbox);
            }
            await MustAsync(d, "network", "connect", Network, Sandbox);
            await MustAsync(d, "network", "disconnect", Network, Sandbox);
        },
    };

    public static readonly FailPointScenario SandboxCreate = new()
    {
        Name = "sandbox create",
        Operation = ["sandbox", "create", Sandbox],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "sandbox", Sandbox))
            {
                await MustAsync(d, "sandbox", "rm", Sandbox);
            }
            await MustAsync(d, "sandbox", "create", Sandbox);
        },
    };

    public static readonly FailPointScenario SandboxRemove = new()
    {
        Name = "sandbox rm",
        Setup = d => MustAsync(d, "sandbox", "create", Sandbox),
        Operation = ["sandbox", "rm", Sandbox],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "sandbox", Sandbox))
            {
                await MustAsync(d, "sandbox", "rm", Sandbox);
            }
            await MustAsync(d, "sandbox", "create", Sandbox);
        },
    };

    public static readonly FailPointScenario ContainerCreate = new()
    {
        Name = "container create",
        Setup = async d =>
        {
            await d.ImportBusyboxAsync();
            await MustAsync(d, CreateNetwork);
        },
        Operation = CreateContainer,
        Acknowledged = [("network", Network)],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "container", Container))
            {
                await MustAsync(d, "rm", "-f", Container);
            }
            await MustAsync(d, CreateContainer);
            await MustAsync(d, "start", Container);
        },
    };

    public static readonly FailPointScenario ContainerStart = new()
    {
        Name = "container start (sandbox, endpoint, port publish, runc)",
        Setup = async d =>
        {
            await d.ImportBusyboxAsync();
            await MustAsync(d, CreateNetwork);
            await MustAsync(d, CreateContainer);
        },
        Operation = ["start", Container],
        Acknowledged = [("network", Network), ("container", Container)],
        RepeatOrUndo = async d =>
        {
            if (await RunningAsync(d))
            {
                await MustAsync(d, "stop", "-t", "1", Container);
            }
            await MustAsync(d, "start", Container);
        },
    };

    public static readonly FailPointScenario ContainerStop = new()
    {
        Name = "container stop",
        Setup = async d =>
        {
            await d.ImportBusyboxAsync();
            await MustAsync(d, CreateNetwork);
            await MustAsync(d, RunContainer);
        },
        Operation = ["stop", "-t", "1", Container],
        Acknowledged = [("network", Network), ("container", Container)],
        RepeatOrUndo = async d =>
        {
            if (await RunningAsync(d))
            {
                await MustAsync(d, "stop", "-t", "1", Container);
            }
            await MustAsync(d, "start", Container);
            await MustAsync(d, "stop", "-t", "1", Container);
        },
    };

    public static readonly FailPointScenario ContainerRemove = new()
    {
        Name = "container rm -f",
        Setup = async d =>
        {
            await d.ImportBusyboxAsync();
            await MustAsync(d, CreateNetwork);
            await MustAsync(d, RunContainer);
        },
        Operation = ["rm", "-f", Container],
        Acknowledged = [("network", Network)],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "container", Container))
            {
                await MustAsync(d, "rm", "-f", Container);
            }
            // The name and the host port are free again.
            await MustAsync(d, RunContainer);
        },
    };

    /// <summary>Removes everything through the API (every step must succeed), so the final check can ask for an empty daemon.</summary>
    public static async Task RemoveEverythingAsync(NetstackdProcess d)
    {
        using var client = d.Client();
        foreach (var container in await client.ListContainersAsync(all: true))
        {
            await MustAsync(d, "rm", "-f", container.Id);
        }
        foreach (var sandbox in await client.ListSandboxesAsync())
        {
            await MustAsync(d, "sandbox", "rm", sandbox.Name);
        }
        foreach (var network in await client.ListNetworksAsync())
        {
            await MustAsync(d, "network", "rm", network.Name);
        }
    }

    public static async Task MustAsync(NetstackdProcess d, params string[] args)
    {
        var (exit, output, error) = await d.NetstackAsync(args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"netstack {string.Join(' ', args)} exited {exit}: {error}{output}");
        }
    }

    public static async Task<bool> ExistsAsync(NetstackdProcess d, string kind, string name)
    {
        using var client = d.Client();
        return kind switch
        {
            "network" => (await client.ListNetworksAsync()).Any(n => n.Name == name),
            "sandbox" => (await client.ListSandboxesAsync()).Any(s => s.Name == name),
            "container" => (await client.ListContainersAsync(all: true)).Any(c => c.Names.Contains("/" + name)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "network, sandbox or container"),
        };
    }

    private static async Task<bool> ConnectedAsync(NetstackdProcess d)
    {
        using var client = d.Client();
        return (await client.ListSandboxesAsync()).Single(s => s.Name == Sandbox).Endpoints.Count > 0;
    }

    private static async Task<bool> RunningAsync(NetstackdProcess d)
    {
        using var client = d.Client();
        return (await client.ListContainersAsync(all: false)).Any(c => c.Names.Contains("/" + Container));
    }
}
