using System.Globalization;
using System.Net;
using System.Text;

namespace Netstack.Daemon.Gossip;

/// <summary>
/// The cluster members this node has seen, kept in a file under <c>--root</c> so that a restarted
/// daemon finds its cluster again even when it was started without <c>--join</c> (a seed that
/// restarts after the others stopped gossiping to it would otherwise form a cluster of one). Serf
/// keeps a snapshot for the same reason. Members that fail stay listed (they may come back); members
/// that leave gracefully are dropped.
/// </summary>
/// <remarks>
/// The file holds one member per line, <c>NAME ADDRESS:PORT</c>. It is rewritten whole (temporary
/// file, fsync, rename), so a crash leaves the old or the new list, never half of one.
/// </remarks>
internal sealed class KnownPeers
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IPEndPoint> _members = new(StringComparer.Ordinal);
    private bool _dirty;

    private KnownPeers(string path) => _path = path;

    /// <summary>Where a daemon with state directory <paramref name="root"/> keeps its list.</summary>
    public static string PathUnder(string root) => Path.Combine(root, "gossip", "peers");

    /// <summary>
    /// Reads the list at <paramref name="path"/> (none yet is an empty list). A line that cannot be
    /// read is skipped and reported through <paramref name="skipped"/>; the rest still count.
    /// </summary>
    public static KnownPeers Load(string path, Action<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        var peers = new KnownPeers(path);
        if (!File.Exists(path))
        {
            return peers;
        }
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && IPEndPoint.TryParse(parts[1], out var endpoint) && endpoint.Port > 0)
            {
                peers._members[parts[0]] = endpoint;
            }
            else if (line.Length > 0)
            {
                skipped(line);
            }
        }
        return peers;
    }

    /// <summary>The listed members' gossip endpoints, without <paramref name="self"/>.</summary>
    public IReadOnlyList<IPEndPoint> EndpointsExcept(string self)
    {
        lock (_lock)
        {
            return [.. _members.Where(m => m.Key != self).Select(m => m.Value).Distinct()];
        }
    }

    /// <summary>A member joined or came back at <paramref name="address"/>.</summary>
    public void Seen(string name, IPEndPoint address)
    {
        lock (_lock)
        {
            if (!_members.TryGetValue(name, out var known) || !known.Equals(address))
            {
                _members[name] = address;
                _dirty = true;
            }
        }
    }

    /// <summary>A member left gracefully: it is not expected back.</summary>
    public void Left(string name)
    {
        lock (_lock)
        {
            _dirty |= _members.Remove(name);
        }
    }

    /// <summary>Writes the list if it changed since the last write.</summary>
    public void Flush()
    {
        string text;
        lock (_lock)
        {
            if (!_dirty)
            {
                return;
            }
            var builder = new StringBuilder();
            foreach (var (name, endpoint) in _members.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                builder.Append(CultureInfo.InvariantCulture, $"{name} {endpoint}\n");
            }
            text = builder.ToString();
            _dirty = false;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temporary = _path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                file.Write(Encoding.UTF8.GetBytes(text));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, _path, overwrite: true);
        }
        catch
        {
            lock (_lock)
            {
                _dirty = true; // try again at the next flush
            }
            throw;
        }
    }
}
