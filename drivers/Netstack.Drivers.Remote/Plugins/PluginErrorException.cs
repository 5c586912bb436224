using Netstack.Core;

namespace Netstack.Drivers.Remote.Plugins;

/// <summary>
/// A plugin that answered with <c>{"Err": "..."}</c>: it understood the call and refused it, usually
/// over the request's content (an option, an address), so it is a 400 carrying the plugin's own words.
/// A plugin that cannot be reached, hangs or answers garbage is an <see cref="UnavailableException"/> instead.
/// </summary>
public sealed class PluginErrorException : NetstackException
{
    public PluginErrorException(PluginEndpoint plugin, string method, string pluginError, int statusCode)
        : base(ErrorCategory.InvalidParameter, $"{plugin} refused {method}: {pluginError}")
    {
        ArgumentNullException.ThrowIfNull(plugin);
        Plugin = plugin.Name;
        Method = method;
        PluginError = pluginError;
        StatusCode = statusCode;
    }

    public string Plugin { get; }

    public string Method { get; }

    /// <summary>The plugin's <c>Err</c> text.</summary>
    public string PluginError { get; }

    /// <summary>The HTTP status the refusal came with (200 or an error status).</summary>
    public int StatusCode { get; }
}
