using System.Diagnostics;
using Xunit;

namespace Netstack.Api.Tests.Daemon;

/// <summary>The stock docker client (Debian's docker.io or /usr/local/bin/docker), run against our socket.</summary>
internal static class DockerCli
{
    public static string? Path { get; } = new[] { "/usr/local/bin/docker", "/usr/bin/docker" }.FirstOrDefault(File.Exists);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string host, string configDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("no docker client"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add(host);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Its own config directory, so the machine's ~/.docker is neither read nor written.
        start.Environment["DOCKER_CONFIG"] = configDirectory;
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("DOCKER_CONTEXT");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact that needs the docker client binary; skipped visibly without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerCliFactAttribute : FactAttribute
{
    public DockerCliFactAttribute()
    {
        if (DockerCli.Path is null)
        {
            Skip = "needs the docker client (Debian docker.io or /usr/local/bin/docker)";
        }
    }
}
