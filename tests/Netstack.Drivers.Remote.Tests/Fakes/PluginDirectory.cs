namespace Netstack.Drivers.Remote.Tests.Fakes;

/// <summary>
/// A throwaway pair of plugin directories (sockets, specs) under a temp directory, with options
/// pointing only there (never at the machine's /run/docker/plugins), removed on dispose.
/// </summary>
public sealed class PluginDirectory : IDisposable
{
    private PluginDirectory(string root)
    {
        Root = root;
        Sockets = Path.Combine(root, "run");
        Specs = Path.Combine(root, "etc");
        Directory.CreateDirectory(Sockets);
        Directory.CreateDirectory(Specs);
    }

    public string Root { get; }

    public string Sockets { get; }

    public string Specs { get; }

    public static PluginDirectory Create() => new(Directory.CreateTempSubdirectory("nsr-").FullName);

    /// <summary>Options searching only these directories, with short timeouts for tests.</summary>
    public RemoteDriverOptions Options(TimeSpan? callTimeout = null, TimeSpan? activationTimeout = null, string? hostNamespacePath = null)
    {
        var options = new RemoteDriverOptions
        {
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(10),
            ActivationTimeout = activationTimeout ?? TimeSpan.FromSeconds(10),
            InitialActivationBackoff = TimeSpan.FromMilliseconds(50),
            MaxActivationBackoff = TimeSpan.FromMilliseconds(200),
            HostNamespacePath = hostNamespacePath,
        };
        options.SocketDirectories.Clear();
        options.SocketDirectories.Add(Sockets);
        options.SpecDirectories.Clear();
        options.SpecDirectories.Add(Specs);
        return options;
    }

    /// <summary>The path a plugin called <paramref name="name"/> listens on in the socket directory.</summary>
    public string SocketOf(string name) => Path.Combine(Sockets, name + ".sock");

    public Task<FakePlugin> StartPluginAsync(string name) => FakePlugin.StartAsync(SocketOf(name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A socket still held open by a server being torn down; the temp directory is reaped anyway.
        }
    }
}
