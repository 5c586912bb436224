namespace Netstack.Linux;

/// <summary>
/// Reads and writes kernel parameters under /proc/sys. Files under /proc/sys/net belong to the
/// network namespace of the thread that opens them, so with a namespace given the file is opened
/// on a thread inside it. Keys may use dots (<c>net.ipv4.ip_forward</c>) or slashes
/// (<c>net/ipv4/conf/eth0.10/forwarding</c>, needed when a segment contains a dot).
/// </summary>
public static class Sysctl
{
    private const string Root = "/proc/sys/";

    /// <summary>Equivalent to <c>ip netns exec NS sysctl -n KEY</c>.</summary>
    public static string Read(string key, NetworkNamespace? ns = null)
    {
        var path = PathOf(key);
        string Body()
        {
            try
            {
                return File.ReadAllText(path).TrimEnd('\n');
            }
            catch (FileNotFoundException)
            {
                throw new ArgumentException($"unknown sysctl key \"{key}\" (no {path})", nameof(key));
            }
            catch (DirectoryNotFoundException)
            {
                throw new ArgumentException($"unknown sysctl key \"{key}\" (no {path})", nameof(key));
            }
        }
        return ns is null ? Body() : ns.Run(Body);
    }

    /// <summary>Equivalent to <c>ip netns exec NS sysctl -w KEY=VALUE</c>.</summary>
    public static void Write(string key, string value, NetworkNamespace? ns = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var path = PathOf(key);
        int Body()
        {
            try
            {
                // FileMode.Open: never create; /proc/sys files exist or the key is wrong.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                var bytes = System.Text.Encoding.ASCII.GetBytes(value + "\n");
                stream.Write(bytes);
            }
            catch (FileNotFoundException)
            {
                throw new ArgumentException($"unknown sysctl key \"{key}\" (no {path})", nameof(key));
            }
            catch (DirectoryNotFoundException)
            {
                throw new ArgumentException($"unknown sysctl key \"{key}\" (no {path})", nameof(key));
            }
            catch (IOException e)
            {
                throw new ArgumentException($"sysctl {key}: the kernel refused value \"{value}\": {e.Message}", nameof(value), e);
            }
            return 0;
        }
        if (ns is null)
        {
            Body();
        }
        else
        {
            ns.Run(Body);
        }
    }

    internal static string PathOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var relative = key.Contains('/', StringComparison.Ordinal) ? key.TrimStart('/') : key.Replace('.', '/');
        if (relative.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid sysctl key \"{key}\"", nameof(key));
        }
        return Root + relative;
    }
}
