using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Runtime;

/// <summary>Builds the busybox image tarball once per test run with scenarios/make-busybox-image.sh.</summary>
internal static class BusyboxImage
{
    private static readonly Lazy<string> Tarball = new(Build);

    public static string Path => Tarball.Value;

    private static string Build()
    {
        var output = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nst-busybox-{Environment.ProcessId}.tar");
        TestNamespace.Run(System.IO.Path.Combine(Repository.Root, "scenarios", "make-busybox-image.sh"), output);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(output);
        return output;
    }
}
