using System.Text.Json;
using Netstack.Core;

namespace Netstack.Drivers.Remote.Plugins;

/// <summary>
/// Finds a plugin by name the way Docker's <c>pkg/plugins</c> does: a socket <c>NAME.sock</c> or
/// <c>NAME/NAME.sock</c> in the socket directories first, then <c>NAME.spec</c> (a URL on one line)
/// or <c>NAME.json</c> (<c>{"Name", "Addr", "TLSConfig"}</c>), also under <c>NAME/</c>, in the spec
/// directories, first match wins. Nothing is cached here: a plugin installed later is found.
/// </summary>
public sealed class PluginDiscovery
{
    private readonly IReadOnlyList<string> _socketDirectories;
    private readonly IReadOnlyList<string> _specDirectories;

    public PluginDiscovery(RemoteDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _socketDirectories = options.SocketDirectories.ToArray();
        _specDirectories = options.SpecDirectories.ToArray();
    }

    /// <summary>Where a lookup looks, for messages.</summary>
    public string SearchDescription =>
        $"no NAME.sock or NAME/NAME.sock in {string.Join(", ", _socketDirectories)}; no NAME.spec or NAME.json in {string.Join(", ", _specDirectories)}";

    /// <summary>
    /// The plugin called <paramref name="name"/>. Not there: <see cref="NotFoundException"/> naming every
    /// place looked in. A name that is not a plain file name: <see cref="InvalidParameterException"/>.
    /// A spec file that cannot be used: <see cref="UnavailableException"/> naming the file.
    /// </summary>
    public PluginEndpoint Find(string name) =>
        TryFind(name, out var endpoint)
            ? endpoint
            : throw new NotFoundException("remote driver plugin", name, SearchDescription.Replace("NAME", name, StringComparison.Ordinal));

    /// <summary>Like <see cref="Find"/>, but false when the plugin is not there.</summary>
    public bool TryFind(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PluginEndpoint? endpoint)
    {
        ValidateName(name);
        foreach (var dir in _socketDirectories)
        {
            foreach (var path in new[] { Path.Combine(dir, name + ".sock"), Path.Combine(dir, name, name + ".sock") })
            {
                if (IsSocket(path))
                {
                    endpoint = new PluginEndpoint { Name = name, Address = new Uri("unix://" + Path.GetFullPath(path)), Source = path };
                    return true;
                }
            }
        }
        foreach (var dir in _specDirectories)
        {
            foreach (var path in new[] { Path.Combine(dir, name + ".spec"), Path.Combine(dir, name + ".json"), Path.Combine(dir, name, name + ".spec"), Path.Combine(dir, name, name + ".json") })
            {
                if (File.Exists(path))
                {
                    endpoint = path.EndsWith(".json", StringComparison.Ordinal) ? ReadJson(name, path) : ReadSpec(name, path);
                    return true;
                }
            }
        }
        endpoint = null;
        return false;
    }

    /// <summary>Plugin names are file names: letters, digits, '_', '.', '-', not starting with '.' (no path can be smuggled in).</summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name[0] == '.' || name[0] == '-'
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new InvalidParameterException("driver", name, "a plugin name is letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
    }

    /// <summary>
    /// An entry under the socket's name that is not a directory. .NET cannot ask for the file type
    /// (Docker checks for a socket); something else under a <c>.sock</c> name fails to connect with
    /// a clear error naming the path, which is what the user needs to see anyway.
    /// </summary>
    private static bool IsSocket(string path) => File.Exists(path);

    private static PluginEndpoint ReadSpec(string name, string path)
    {
        var text = ReadFile(path).Trim();
        return new PluginEndpoint { Name = name, Address = ParseAddress(text, path), Source = path };
    }

    private static PluginEndpoint ReadJson(string name, string path)
    {
        var text = ReadFile(path);
        PluginSpecFile? spec;
        try
        {
            spec = JsonSerializer.Deserialize(text, PluginSpecJsonContext.Default.PluginSpecFile);
        }
        catch (JsonException e)
        {
            throw new UnavailableException($"plugin spec file {path} is not valid JSON: {e.Message}", e);
        }
        if (spec?.Addr is not { Length: > 0 } addr)
        {
            throw new UnavailableException($"plugin spec file {path} has no \"Addr\"");
        }
        var tls = spec.TLSConfig is { } t
            ? new PluginTls { InsecureSkipVerify = t.InsecureSkipVerify, CAFile = t.CAFile, CertFile = t.CertFile, KeyFile = t.KeyFile }
            : null;
        return new PluginEndpoint { Name = name, Address = ParseAddress(addr, path), Source = path, Tls = tls };
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnavailableException($"plugin spec file {path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary><c>unix:///path</c>, <c>tcp://host:port</c>, <c>http://</c> or <c>https://host:port</c>.</summary>
    internal static Uri ParseAddress(string text, string source)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http" or "https"))
        {
            throw new UnavailableException($"plugin spec file {source}: address \"{text}\" is not a unix://, tcp://, http:// or https:// URL");
        }
        if (uri.Scheme == "unix" && !uri.AbsolutePath.StartsWith('/'))
        {
            throw new UnavailableException($"plugin spec file {source}: socket path in \"{text}\" must be absolute");
        }
        if (uri.Scheme != "unix" && (string.IsNullOrEmpty(uri.Host) || uri.IsDefaultPort && uri.Scheme == "tcp"))
        {
            throw new UnavailableException($"plugin spec file {source}: address \"{text}\" needs a host and a port");
        }
        return uri;
    }
}
