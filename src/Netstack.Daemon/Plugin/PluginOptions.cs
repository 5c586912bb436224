using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Netstack.Daemon.Plugin;

/// <summary>
/// The Docker plugin endpoint's settings (<c>--plugin</c>, <c>--plugin-socket</c>; in daemon.json
/// <c>{"plugin": true, "plugin-socket": "/run/docker/plugins/netstack.sock"}</c>).
/// <para>Off by default: every netstackd serving on the one well-known path would make each stock
/// dockerd on the machine discover a <c>netstack</c> driver, and a second netstackd (another
/// namespace host, a test) would collide on that path. <c>--plugin</c> turns it on at the default
/// path; <c>--plugin-socket PATH</c> turns it on at PATH; <c>"plugin": false</c> keeps it off even
/// with a socket path in the config file.</para>
/// </summary>
public sealed class PluginOptions
{
    /// <summary>Where dockerd discovers plugin sockets (Docker's <c>pkg/plugins</c>: fixed, not configurable).</summary>
    public const string DefaultSocketPath = "/run/docker/plugins/netstack.sock";

    /// <summary>Serve the plugin protocol; null: on when <see cref="Socket"/> is set.</summary>
    [ConfigurationKeyName("plugin")]
    public bool? Enabled { get; set; }

    /// <summary>The plugin socket path; null: <see cref="DefaultSocketPath"/>.</summary>
    [ConfigurationKeyName("plugin-socket")]
    public string? Socket { get; set; }

    public bool IsEnabled => Enabled ?? !string.IsNullOrEmpty(Socket);

    public string SocketPath => string.IsNullOrEmpty(Socket) ? DefaultSocketPath : Socket;
}

/// <summary>Checks <see cref="PluginOptions"/> at start; a failure names the setting and the bad value.</summary>
internal sealed class PluginOptionsValidator : IValidateOptions<PluginOptions>
{
    public ValidateOptionsResult Validate(string? name, PluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }
        var path = options.SocketPath;
        if (!Path.IsPathFullyQualified(path) || path.EndsWith('/'))
        {
            return ValidateOptionsResult.Fail($"plugin-socket \"{path}\": must be an absolute path to a socket file");
        }
        // sockaddr_un.sun_path is 108 bytes including the terminating NUL.
        if (System.Text.Encoding.UTF8.GetByteCount(path) >= 108)
        {
            return ValidateOptionsResult.Fail($"plugin-socket \"{path}\": a unix socket path must be shorter than 108 bytes");
        }
        if (!path.EndsWith(".sock", StringComparison.Ordinal))
        {
            // dockerd finds a plugin by NAME.sock in its plugin directory; any other name is never discovered.
            return ValidateOptionsResult.Fail($"plugin-socket \"{path}\": must end in .sock (dockerd discovers plugins as NAME.sock)");
        }
        return ValidateOptionsResult.Success;
    }
}
