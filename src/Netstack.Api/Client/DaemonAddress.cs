namespace Netstack.Api.Client;

/// <summary>The daemon's address: a unix socket, written <c>unix:///path</c> (or just <c>/path</c>).</summary>
public sealed record DaemonAddress(string SocketPath)
{
    public const string DefaultUri = "unix:///run/netstack/netstack.sock";

    /// <summary>Environment variable that overrides the default, like <c>DOCKER_HOST</c>.</summary>
    public const string EnvironmentVariable = "NETSTACK_HOST";

    public string Uri => "unix://" + SocketPath;

    /// <exception cref="FormatException">Not <c>unix://</c> with an absolute path; the message quotes the value.</exception>
    public static DaemonAddress Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var path = value.StartsWith("unix://", StringComparison.Ordinal) ? value["unix://".Length..] : value;
        if (path.Length == 0 || path[0] != '/' || path.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"invalid host '{value}': expected unix:///absolute/path/to/socket");
        }
        return new DaemonAddress(path);
    }

    /// <summary>The flag's value, else <c>NETSTACK_HOST</c>, else the default socket.</summary>
    public static DaemonAddress Resolve(string? flag, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var value = !string.IsNullOrEmpty(flag) ? flag : environment(EnvironmentVariable);
        return Parse(string.IsNullOrEmpty(value) ? DefaultUri : value);
    }
}
