using Netstack.Api.Client;
using Netstack.Api.Contracts.Containers;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;

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

    /// <summary>Run on the daemon's host namespace before its first start (links the operation needs, such as a macvlan parent); null when none.</summary>
    public Action<TestNamespace>? PrepareHost { get; init; }

    /// <summary>Made before the daemon is armed; null when the operation needs nothing.</summary>
    public Func<NetstackdProcess, Task>? Setup { get; init; }

    /// <summary>The operation under the fail point, as a user would run it; its exit code and error text.</summary>
    public required Func<NetstackdProcess, Task<(int Exit, string Error)>> Operation { get; init; }

    /// <summary>
    /// For a removal: after it failed (error mode), on the same daemon, before any restart, retries
    /// it while its object is still there; a failed removal must leave what a retry can finish.
    /// </summary>
    public Func<NetstackdProcess, Task>? RetryRemoval { get; init; }

    /// <summary>Objects the setup made that must still be there after the operation (kind, name).</summary>
    public IReadOnlyList<(string Kind, string Name)> Acknowledged { get; init; } = [];

    /// <summary>After the restart: undoes what the operation left (if anything), then does it again; every step must succeed.</summary>
    public required Func<NetstackdProcess, Task> RepeatOrUndo { get; init; }

    public override string ToString() => Name;

    private static readonly string[] CreateNetwork = ["network", "create", "--subnet", Subnet, Network];
    private static readonly string[] RunContainer = ["run", "-d", "--name", Container, "--network", Network, "-p", HostPort + ":80", "busybox", "sleep", "600"];

    // A global network on the cluster store: the overlay driver (VXLAN). Internal, so a sandbox on
    // it alone needs no gateway network: the walk stays on the global network's own steps (the
    // gateway network is a local bridge network, walked by the cases above).
    private static readonly string[] CreateOverlay = ["network", "create", "-d", "overlay", "--internal", "--subnet", Subnet, Network];

    public static readonly FailPointScenario NetworkCreate = NetworkCreateOf("network create", CreateNetwork);

    public static readonly FailPointScenario NetworkRemove = NetworkRemoveOf("network rm", CreateNetwork);

    public static readonly FailPointScenario Connect = ConnectOf("network connect (endpoint create and join)", CreateNetwork);

    public static readonly FailPointScenario Disconnect = DisconnectOf("network disconnect (endpoint leave and delete)", CreateNetwork);

    // A macvlan network on a parent link of the host: one end of a veth pair whose other end stays
    // in the host too, so no frame leaves the namespace (this kernel has no dummy links).
    public const string MacvlanParent = "uplink";
    private static readonly string[] CreateMacvlan = ["network", "create", "-d", "macvlan", "-o", "parent=" + MacvlanParent, "--subnet", Subnet, Network];

    private static void AddParent(TestNamespace host)
    {
        host.Ip("link", "add", MacvlanParent, "type", "veth", "peer", "name", MacvlanParent + "-peer");
        host.Ip("link", "set", MacvlanParent, "up");
        host.Ip("link", "set", MacvlanParent + "-peer", "up");
    }

    public static readonly FailPointScenario MacvlanCreate = NetworkCreateOf("macvlan network create", CreateMacvlan) with { PrepareHost = AddParent };

    public static readonly FailPointScenario MacvlanRemove = NetworkRemoveOf("macvlan network rm", CreateMacvlan) with { PrepareHost = AddParent };

    public static readonly FailPointScenario MacvlanConnect = ConnectOf("macvlan network connect (endpoint create and join)", CreateMacvlan) with { PrepareHost = AddParent };

    public static readonly FailPointScenario OverlayCreate = NetworkCreateOf("overlay network create (global store)", CreateOverlay);

    public static readonly FailPointScenario OverlayRemove = NetworkRemoveOf("overlay network rm (global store)", CreateOverlay);

    public static readonly FailPointScenario OverlayConnect = ConnectOf("overlay network connect (endpoint create and join, global store)", CreateOverlay);

    public static readonly FailPointScenario OverlayDisconnect = DisconnectOf("overlay network disconnect (endpoint leave and delete, global store)", CreateOverlay);

    private static FailPointScenario NetworkCreateOf(string name, string[] create) => new()
    {
        Name = name,
        Operation = Cli(create),
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "network", Network))
            {
                await MustAsync(d, "network", "rm", Network);
            }
            await MustAsync(d, create);
        },
    };

    private static FailPointScenario NetworkRemoveOf(string name, string[] create) => new()
    {
        Name = name,
        Setup = d => MustAsync(d, create),
        Operation = Cli("network", "rm", Network),
        RetryRemoval = d => RetryWhileExistsAsync(d, "network", Network, "network", "rm", Network),
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "network", Network))
            {
                await MustAsync(d, "network", "rm", Network);
            }
            // The subnet (and for a global network its name and VXLAN id) must be free again.
            await MustAsync(d, create);
        },
    };

    private static FailPointScenario ConnectOf(string name, string[] create) => new()
    {
        Name = name,
        Setup = async d =>
        {
            await MustAsync(d, create);
            await MustAsync(d, "sandbox", "create", Sandbox);
        },
        Operation = Cli("network", "connect", Network, Sandbox),
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

    private static FailPointScenario DisconnectOf(string name, string[] create) => new()
    {
        Name = name,
        Setup = async d =>
        {
            await MustAsync(d, create);
            await MustAsync(d, "sandbox", "create", Sandbox);
            await MustAsync(d, "network", "connect", Network, Sandbox);
        },
        Operation = Cli("network", "disconnect", Network, Sandbox),
        RetryRemoval = async d =>
        {
            if (await ConnectedAsync(d))
            {
                await MustAsync(d, "network", "disconnect", Network, Sandbox);
            }
        },
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
        Operation = Cli("sandbox", "create", Sandbox),
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
        Operation = Cli("sandbox", "rm", Sandbox),
        RetryRemoval = d => RetryWhileExistsAsync(d, "sandbox", Sandbox, "sandbox", "rm", Sandbox),
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
        Operation = CreateContainerAsync,
        Acknowledged = [("network", Network)],
        RepeatOrUndo = async d =>
        {
            if (await ExistsAsync(d, "container", Container))
            {
                await MustAsync(d, "rm", "-f", Container);
            }
            await MustCreateContainerAsync(d);
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
            await MustCreateContainerAsync(d);
        },
        Operation = Cli("start", Container),
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
        Operation = Cli("stop", "-t", "1", Container),
        RetryRemoval = async d =>
        {
            if (await RunningAsync(d))
            {
                await MustAsync(d, "stop", "-t", "1", Container);
            }
        },
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
        Operation = Cli("rm", "-f", Container),
        RetryRemoval = d => RetryWhileExistsAsync(d, "container", Container, "rm", "-f", Container),
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

    private static Func<NetstackdProcess, Task<(int Exit, string Error)>> Cli(params string[] args) => async d =>
    {
        var (exit, output, error) = await d.NetstackAsync(args);
        return (exit, $"netstack {string.Join(' ', args)}: {error}{output}".Trim());
    };

    /// <summary>Docker's <c>create</c> (our CLI has only run): through the engine API, as the docker CLI sends it.</summary>
    private static async Task<(int Exit, string Error)> CreateContainerAsync(NetstackdProcess d)
    {
        using var client = d.Client();
        try
        {
            await client.CreateContainerAsync(Container, new ContainerCreateRequest
            {
                Image = "busybox",
                Cmd = ["sleep", "600"],
                HostConfig = new HostConfig
                {
                    NetworkMode = Network,
                    PortBindings = new() { ["80/tcp"] = [new PortBinding { HostPort = HostPort }] },
                },
            });
            return (0, "");
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or IOException)
        {
            return (1, "POST /containers/create: " + e.Message);
        }
    }

    private static async Task MustCreateContainerAsync(NetstackdProcess d)
    {
        var (exit, error) = await CreateContainerAsync(d);
        if (exit != 0)
        {
            throw new InvalidOperationException(error);
        }
    }

    private static async Task RetryWhileExistsAsync(NetstackdProcess d, string kind, string name, params string[] args)
    {
        if (await ExistsAsync(d, kind, name))
        {
            await MustAsync(d, args);
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
