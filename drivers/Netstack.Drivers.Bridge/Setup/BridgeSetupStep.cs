using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// One small named step of setting up a bridge network (libnetwork's bridge setup style): it runs
/// only when <see cref="Condition"/> holds, and registers <see cref="Undo"/> once it has run.
/// </summary>
internal sealed record BridgeSetupStep(string Name, Func<BridgeSetupContext, bool> Condition, Func<BridgeSetupContext, Task> Run, Func<BridgeSetupContext, Task>? Undo = null)
{
    /// <summary>A step whose work and undo are synchronous kernel calls.</summary>
    public BridgeSetupStep(string name, Func<BridgeSetupContext, bool> condition, Action<BridgeSetupContext> run, Action<BridgeSetupContext>? undo = null)
        : this(name, condition, c =>
        {
            run(c);
            return Task.CompletedTask;
        }, undo is null ? null : c =>
        {
            undo(c);
            return Task.CompletedTask;
        })
    {
    }
}

/// <summary>What the steps work on.</summary>
internal sealed class BridgeSetupContext
{
    public BridgeSetupContext(HostNetwork host, IFirewall firewall, BridgeNetworkConfig config, CancellationToken cancellationToken)
    {
        CancellationToken = cancellationToken;
        Host = host;
        Firewall = firewall;
        Config = config;
    }

    public HostNetwork Host { get; }

    public IFirewall Firewall { get; }

    public BridgeNetworkConfig Config { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Set by the create step: the bridge did not exist before this setup.</summary>
    public bool BridgeCreated { get; set; }

    /// <summary>Names of the steps that ran, in order (for logs and tests).</summary>
    public List<string> Ran { get; } = [];
}
