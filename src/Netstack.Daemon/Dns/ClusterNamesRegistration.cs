namespace Netstack.Daemon.Dns;

/// <summary>Service discovery across hosts in netstackd's composition root.</summary>
internal static class ClusterNamesRegistration
{
    /// <summary>
    /// <see cref="ClusterNames"/> as a hosted service: it starts with the host, after reconcile and
    /// the sandbox resolvers, on the <c>IDriverTables</c> of <c>AddGossip</c> (local-only tables
    /// when gossip is off) and the resolvers' <c>DnsNameTable</c>.
    /// </summary>
    public static IServiceCollection AddClusterNames(this IServiceCollection services)
    {
        services.AddSingleton<ClusterNames>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNames>());
        return services;
    }
}
