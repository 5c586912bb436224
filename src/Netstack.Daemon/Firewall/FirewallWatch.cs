using Netstack.Core;
using Netstack.Drivers.Bridge;

namespace Netstack.Daemon.Firewall;

/// <summary>
/// Keeps the bridge driver's firewall rules (iptables, or nftables with --firewall-backend nftables) in place while the daemon runs: every
/// <see cref="Interval"/> the driver compares the live tables with what it applied and writes
/// everything again if somebody else removed or changed it (an admin's <c>iptables -F</c>,
/// <c>firewall-cmd --reload</c>: Docker's moby#15254, where published ports stayed dead until the
/// daemon was restarted). Polling rather than a netlink watch of nf_tables: it sees iptables-legacy
/// too, and a check is one <c>iptables-save -t TABLE</c> per table in use.
/// </summary>
internal sealed partial class FirewallWatch(BridgeDriver bridge, TimeProvider time, ILogger<FirewallWatch> logger) : BackgroundService
{
    /// <summary>How often the tables are checked; a flush is undone within about this long.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        string? lastError = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    // The firewall logs what differed and what it wrote (warning).
                    await bridge.RepairFirewallAsync(stoppingToken).ConfigureAwait(false);
                    lastError = null;
                }
                catch (InternalException e)
                {
                    // Said once, not every second while it lasts.
                    if (e.Message != lastError)
                    {
                        LogCheckFailed(e.Message);
                        lastError = e.Message;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "firewall watch: checking or repairing the bridge driver's rules failed: {Error}; trying again every second")]
    private partial void LogCheckFailed(string error);
}
