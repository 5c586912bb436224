using Microsoft.Extensions.Logging;

namespace Netstack.Firewall.Nftables;

internal static partial class NftablesLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "firewall (nftables): applying rule set of {Owner} ({Family}): {Chains} chains, {Rules} rules")]
    public static partial void Applying(ILogger logger, string owner, IpFamily family, int chains, int rules);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "firewall (nftables): removing rules and chains of {Owner} ({Family})")]
    public static partial void Removing(ILogger logger, string owner, IpFamily family);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "firewall (nftables): a batch of {Operations} operations was refused: {Error}")]
    public static partial void BatchFailed(ILogger logger, int operations, string error);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "firewall (nftables): a change built from the {Family} view was refused; reading the table again and retrying")]
    public static partial void ViewStale(ILogger logger, IpFamily family);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "firewall (nftables): netstack's {Family} rules were changed by somebody else: {Drift}; wrote all {Sets} rule sets again in {Milliseconds:F0} ms")]
    public static partial void Repaired(ILogger logger, IpFamily family, string drift, int sets, double milliseconds);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "firewall (nftables): netstack's {Family} table still differs after writing it again: {Drift}; not trying again until the rule sets change")]
    public static partial void RepairDidNotHold(ILogger logger, IpFamily family, string drift);
}
