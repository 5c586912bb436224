using System.Diagnostics;

namespace Netstack.Privileged.Tests.Runtime;

/// <summary>Builds the busybox image tarball once per test run with scenarios/make-busybox-image.sh.</summary>
internal static class BusyboxImage
{
    private static readonly Lazy<string> Tarball = new(Build);

    public static string Path => Tarball.Value;

    private static string Build()
    {
        var repo = FindRepoRoot();
        var output = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nst-busybox-{Environment.ProcessId}.tar");
        var psi = new ProcessStartInfo(System.IO.Path.Combine(repo, "scenarios", "make-busybox-image.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(output);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make-busybox-image.sh failed: {stderr}");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(output);
        return output;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Netstack.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Netstack.sln) not found above " + AppContext.BaseDirectory);
    }
}
