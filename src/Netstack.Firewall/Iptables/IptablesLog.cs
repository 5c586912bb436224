using Microsoft.Extensions.Logging;

namespace Netstack.Firewall.Iptables;

internal static partial class IptablesLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "firewall: applying rule set of {Owner} ({Family}): {Chains} chains, {Rules} rules")]
    public static partial void Applying(ILogger logger, string owner, IpFamily family, int chains, int rules);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "firewall: removing rules and chains of {Owner} ({Family})")]
    public static partial void Removing(ILogger logger, string owner, IpFamily family);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "firewall: {Program} failed; script was:\n{Script}")]
    public static partial void RestoreFailed(ILogger logger, string program, string script);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "firewall: a change built from the {Family} view was refused; reading the tables again and retrying")]
    public static partial void ViewStale(ILogger logger, IpFamily family);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "firewall: netstack's {Family} rules were changed by somebody else: {Drift}; wrote all {Sets} rule sets again in {Milliseconds:F0} ms")]
    public static partial void Repaired(ILogger logger, IpFamily family, string drift, int sets, double milliseconds);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Error, Message = "firewall: netstack's {Family} rules still differ after writing them again: {Drift}; not trying again until they change")]
    public static partial void RepairDidNotHold(ILogger logger, IpFamily family, string drift);
}
