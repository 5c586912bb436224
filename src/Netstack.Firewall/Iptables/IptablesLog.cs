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
}
