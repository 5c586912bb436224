using System.Diagnostics;
using Netstack.Linux;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// The namespace where the driver's bridges and firewall rules live: the process's own namespace
/// for the daemon, a throwaway one in tests. Owns the netlink handle bound to it and runs sysctl
/// writes and helper processes (iptables-restore) inside it.
/// </summary>
internal sealed class HostNetwork : IDisposable
{
    private readonly NetworkNamespace? _namespace;

    private HostNetwork(NetworkNamespace? ns, NetlinkHandle netlink)
    {
        _namespace = ns;
        Netlink = netlink;
    }

    public NetlinkHandle Netlink { get; }

    /// <summary>The namespace, or null for the process's own.</summary>
    public NetworkNamespace? Namespace => _namespace;

    /// <summary>A description for messages: the namespace path, or "host".</summary>
    public string Description => _namespace?.Path ?? "host";

    /// <summary>Opens the namespace file at <paramref name="path"/>, or the current namespace when null.</summary>
    public static HostNetwork Open(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return new HostNetwork(null, NetlinkHandle.Open());
        }
        var ns = NetworkNamespace.Open(path);
        try
        {
            return new HostNetwork(ns, NetlinkHandle.Open(ns));
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="body"/> on a thread inside the namespace (directly when it is the current one).</summary>
    public T RunInside<T>(Func<T> body) => _namespace is null ? body() : _namespace.Run(body);

    public string ReadSysctl(string key) => Sysctl.Read(key, _namespace);

    public void WriteSysctl(string key, string value) => Sysctl.Write(key, value, _namespace);

    /// <summary>
    /// Runs a program inside the namespace: the child is forked from a thread that has entered it, so
    /// it inherits the namespace (fork copies the calling task's namespaces). Returns exit code and output.
    /// </summary>
    public (int ExitCode, string Output, string Error) RunProcess(string program, IReadOnlyList<string> arguments, string? input)
    {
        (int, string, string) Body()
        {
            var info = new ProcessStartInfo(program)
            {
                RedirectStandardInput = input is not null,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
            var errorTask = process.StandardError.ReadToEndAsync();
            var outputTask = process.StandardOutput.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            process.WaitForExit();
            return (process.ExitCode, outputTask.GetAwaiter().GetResult(), errorTask.GetAwaiter().GetResult());
        }
        return _namespace is null ? Body() : _namespace.Run(Body);
    }

    public void Dispose()
    {
        Netlink.Dispose();
        _namespace?.Dispose();
    }
}
