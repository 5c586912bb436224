using Microsoft.Extensions.Options;

namespace Netstack.Daemon.Gossip;

/// <summary>Checks the cluster flags at start, so a bad value stops netstackd before it serves.</summary>
internal sealed class GossipOptionsValidator : IValidateOptions<GossipDaemonOptions>
{
    public ValidateOptionsResult Validate(string? name, GossipDaemonOptions options)
    {
        var failures = new List<string>();
        GossipSettings.Resolve(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
