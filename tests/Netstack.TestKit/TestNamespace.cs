using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Netstack.Linux;

namespace Netstack.TestKit;

/// <summary>
/// A throwaway network namespace <c>nst-&lt;random&gt;</c>, made through Netstack's own layer under
/// /run/netns so that <c>ip -n NAME</c> and <c>ip netns exec NAME</c> can observe it, and deleted on
/// Dispose together with every link inside it. Tests act as if it were the host.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    /// <summary>iproute2's directory, so the test can look inside with <c>ip -n</c>.</summary>
    public const string Directory = "/run/netns";

    private NetlinkHandle? _netlink;

    private TestNamespace(NetworkNamespace ns)
    {
        Namespace = ns;
        Name = ns.Name!;
    }

    public string Name { get; }

    public NetworkNamespace Namespace { get; }

    /// <summary>A netlink handle in this namespace, opened on first use.</summary>
    public NetlinkHandle Netlink => _netlink ??= NetlinkHandle.Open(Namespace);

    public static TestNamespace Create() => new(NetworkNamespace.Create(NewName(), Directory));

    /// <summary>A fresh name of the test prefix: <c>nst-</c> and 8 random hex digits.</summary>
    public static string NewName() => "nst-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Runs <c>ip -n NAME ARGS</c> and returns its output; throws with stderr if it fails.</summary>
    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs <c>ip -j -n NAME ARGS</c> and parses the JSON it prints.</summary>
    public JsonElement IpJson(params string[] args) => ParseJson(Run("ip", ["-j", "-n", Name, .. args]));

    /// <summary>Runs <c>ip netns exec NAME bridge -j ARGS</c> and parses the JSON.</summary>
    public JsonElement BridgeJson(params string[] args) => ParseJson(Exec("bridge", ["-j", .. args]));

    /// <summary>Runs a program inside the namespace with <c>ip netns exec</c>.</summary>
    public string Exec(string program, params string[] args) => Run("ip", ["netns", "exec", Name, program, .. args]);

    /// <summary>Like <see cref="Exec"/> but returns the exit code and output instead of throwing.</summary>
    public (int ExitCode, string Output, string Error) TryExec(string program, params string[] args) =>
        TryRun("ip", ["netns", "exec", Name, program, .. args]);

    /// <summary>Runs a program and returns stdout; throws with its stderr when the exit code is not 0.</summary>
    public static string Run(string program, params string[] args)
    {
        var (code, output, error) = TryRun(program, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}: {error.Trim()}");
        }
        return output;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var errorTask = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errorTask.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        _netlink?.Dispose();
        Namespace.Dispose();
        if (NetworkNamespace.Exists(Name, Directory))
        {
            NetworkNamespace.Delete(Name, Directory);
        }
    }

    private static JsonElement ParseJson(string text)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "[]" : text);
        return document.RootElement.Clone();
    }
}
