using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Netstack.Daemon.Routes;

/// <summary>Facts about this machine and build for <c>/version</c> and <c>/info</c>, read once.</summary>
internal static class SystemFacts
{
    public static string Version { get; } =
        typeof(SystemFacts).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static string KernelVersion { get; } = ReadFirstLine("/proc/sys/kernel/osrelease") ?? "";

    /// <summary>Go's GOARCH names, which docker clients expect.</summary>
    public static string Arch { get; } = RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static string OperatingSystem { get; } = ReadOsRelease() ?? "Linux";

    public static long MemTotal { get; } = ReadMemTotal();

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadOsRelease()
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    return line["PRETTY_NAME=".Length..].Trim('"');
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    // /proc/meminfo "MemTotal:  16318480 kB" (kB meaning KiB).
    private static long ReadMemTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    var number = line["MemTotal:".Length..].Trim().Split(' ')[0];
                    return long.Parse(number, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
