using System.Diagnostics;
using System.Security.Cryptography;
using Netstack.Linux;

namespace Netstack.Bench.Veth;

/// <summary>
/// One round's throwaway world: a "host" namespace holding bridge br0 and a "peer" namespace for
/// the other veth ends, both under /run/netns (so ip -n can work in them too) and both deleted on
/// Dispose, which also removes any link left inside.
/// </summary>
internal sealed class Stage : IDisposable
{
    public const string Directory = "/run/netns";
    public const uint Group = 4242;

    private Stage(NetworkNamespace host, NetworkNamespace peer, NetlinkHandle netlink)
    {
        Host = host;
        Peer = peer;
        Netlink = netlink;
    }

    public NetworkNamespace Host { get; }

    public NetworkNamespace Peer { get; }

    public NetlinkHandle Netlink { get; }

    public static Stage Create()
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var host = NetworkNamespace.Create($"nst-bench-{suffix}-h", Directory);
        NetworkNamespace? peer = null;
        try
        {
            peer = NetworkNamespace.Create($"nst-bench-{suffix}-p", Directory);
            var netlink = host.OpenNetlink();
            netlink.LinkAdd(new BridgeSpec("br0") { Up = true });
            return new Stage(host, peer, netlink);
        }
        catch
        {
            Delete(host);
            if (peer is not null)
            {
                Delete(peer);
            }
            throw;
        }
    }

    /// <summary>Counts (ports on br0 in host, peers that are up in peer) as ip sees them.</summary>
    public (int Ports, int PeersUp) Count()
    {
        var ports = Run("ip", "-o", "-n", Host.Name!, "link", "show", "master", "br0").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var up = Run("ip", "-o", "-n", Peer.Name!, "link", "show", "up").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Count(l => l.Contains(": p", StringComparison.Ordinal));
        return (ports, up);
    }

    public void Dispose()
    {
        Netlink.Dispose();
        Delete(Host);
        Delete(Peer);
    }

    public static string Run(string program, params string[] args) => Run(program, args, null);

    public static string Run(string program, string[] args, string? input)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = Process.Start(info)!;
        if (input is not null)
        {
            p.StandardInput.Write(input);
            p.StandardInput.Close();
        }
        var error = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {p.ExitCode}: {error.Result.Trim()}");
        }
        return output;
    }

    private static void Delete(NetworkNamespace ns)
    {
        var name = ns.Name!;
        ns.Dispose();
        if (NetworkNamespace.Exists(name, Directory))
        {
            NetworkNamespace.Delete(name, Directory);
        }
    }
}
