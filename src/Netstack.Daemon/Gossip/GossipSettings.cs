using System.Net;
using Netstack.Gossip.Security;

namespace Netstack.Daemon.Gossip;

/// <summary><see cref="GossipDaemonOptions"/> checked and resolved: what the gossip node is started with.</summary>
internal sealed record GossipSettings(string NodeName, IPEndPoint Listen, IPAddress Advertise, IReadOnlyList<IPEndPoint> Join, byte[]? Key)
{
    /// <summary>
    /// Resolves <paramref name="options"/>; each problem goes to <paramref name="failures"/> naming the flag
    /// and the bad value, and the result is then null. Also null (with no failure) when gossip is off.
    /// </summary>
    public static GossipSettings? Resolve(GossipDaemonOptions options, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        var before = failures.Count;
        var join = new List<IPEndPoint>();
        foreach (var peer in options.Join.SelectMany(j => j.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (GossipEndpoint.TryParse(peer, out _) is { } endpoint && !IsWildcard(endpoint.Address))
            {
                join.Add(endpoint);
            }
            else
            {
                failures.Add($"--join \"{peer}\": expected a peer as IP[:PORT] (default port {GossipDaemonOptions.DefaultPort})");
            }
        }
        if (!options.Enabled)
        {
            if (join.Count > 0)
            {
                failures.Add("--join needs --advertise-addr (or --listen-addr with a specific IP): peers must be told where to reach this daemon");
            }
            if (!string.IsNullOrWhiteSpace(options.GossipKeyFile))
            {
                failures.Add($"--gossip-key-file \"{options.GossipKeyFile}\" needs --advertise-addr: gossip is off without it");
            }
            return null;
        }

        IPEndPoint? advertise = null;
        var advertiseHasPort = false;
        if (!string.IsNullOrWhiteSpace(options.AdvertiseAddr))
        {
            advertise = GossipEndpoint.TryParse(options.AdvertiseAddr, out advertiseHasPort);
            if (advertise is null)
            {
                failures.Add($"--advertise-addr \"{options.AdvertiseAddr}\": expected IP[:PORT], e.g. 10.0.0.1 or 10.0.0.1:{GossipDaemonOptions.DefaultPort}");
            }
            else if (IsWildcard(advertise.Address))
            {
                failures.Add($"--advertise-addr \"{options.AdvertiseAddr}\": peers cannot reach a wildcard address; give this host's IP");
                advertise = null;
            }
        }
        IPEndPoint? listen = null;
        var listenHasPort = false;
        if (!string.IsNullOrWhiteSpace(options.ListenAddr))
        {
            listen = GossipEndpoint.TryParse(options.ListenAddr, out listenHasPort);
            if (listen is null)
            {
                failures.Add($"--listen-addr \"{options.ListenAddr}\": expected IP[:PORT], e.g. 0.0.0.0:{GossipDaemonOptions.DefaultPort}");
            }
        }
        else if (advertise is not null)
        {
            // Listen on every address of the host, on the advertised port.
            listen = new IPEndPoint(advertise.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, advertise.Port);
            listenHasPort = advertiseHasPort;
        }
        if (listen is not null && advertise is not null && advertiseHasPort && listenHasPort && listen.Port != advertise.Port)
        {
            // The node advertises the port it binds: a different advertised port would need a port mapping we cannot see.
            failures.Add($"--advertise-addr \"{options.AdvertiseAddr}\": its port {advertise.Port} differs from --listen-addr port {listen.Port}; gossip advertises the port it listens on");
        }
        if (listen is not null && advertise is not null && !advertiseHasPort && listenHasPort)
        {
            advertise = new IPEndPoint(advertise.Address, listen.Port);
        }
        if (listen is not null && advertise is null && string.IsNullOrWhiteSpace(options.AdvertiseAddr))
        {
            if (IsWildcard(listen.Address))
            {
                failures.Add($"--listen-addr \"{options.ListenAddr}\" is a wildcard address: give --advertise-addr so peers know where to reach this daemon");
            }
            else
            {
                advertise = listen;
            }
        }
        if (listen is not null && advertise is not null && advertise.AddressFamily != listen.AddressFamily)
        {
            failures.Add($"--advertise-addr \"{options.AdvertiseAddr}\" and --listen-addr \"{options.ListenAddr}\": one is IPv4 and the other IPv6");
        }

        byte[]? key = null;
        if (!string.IsNullOrWhiteSpace(options.GossipKeyFile))
        {
            key = ReadKey(options.GossipKeyFile, failures);
        }

        string? name = options.NodeName;
        if (name is not null && (string.IsNullOrWhiteSpace(name) || name.Length > 255 || name.Any(char.IsControl)))
        {
            failures.Add($"--node-name \"{name}\": expected 1 to 255 printable characters");
        }
        if (failures.Count > before || listen is null || advertise is null)
        {
            return null;
        }
        // Namespace hosts share the machine's host name, so the advertise address is the default name.
        name ??= advertise.Port == GossipDaemonOptions.DefaultPort ? advertise.Address.ToString() : advertise.ToString();
        return new GossipSettings(name, listen, advertise.Address, join, key);
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static byte[]? ReadKey(string path, List<string> failures)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"--gossip-key-file \"{path}\": cannot read it: {e.Message}");
            return null;
        }
        try
        {
            return GossipKeyring.ParseKey(text, path);
        }
        catch (ArgumentException e)
        {
            failures.Add($"--gossip-key-file \"{path}\": {e.Message.Split(" (Parameter", 2)[0]}; expected a base64 AES key of 16, 24 or 32 bytes (e.g. head -c 32 /dev/urandom | base64)");
            return null;
        }
    }
}
