using System.Diagnostics;
using Netstack.Linux;

namespace Netstack.Firewall.Iptables;

/// <summary>
/// Runs iptables programs, inside a network namespace when one is given: the process is started
/// from a thread that has entered the namespace, and a child inherits its parent thread's
/// namespaces. Waiting for it happens outside, so nothing awaits inside the namespace.
/// </summary>
internal sealed class IptablesRunner : IIptablesRunner
{
    private readonly NetworkNamespace? _namespace;

    public IptablesRunner(NetworkNamespace? ns)
    {
        _namespace = ns;
    }

    public async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
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
        var command = $"{program} {string.Join(' ', arguments)}";
        Process Start() => Process.Start(info) ?? throw new FirewallException($"{command}: could not start");
        using var process = _namespace is null ? Start() : _namespace.Run(Start);
        // Process.Dispose leaves the redirected streams open once they were read (the caller might
        // still hold them): closed here, or each run would keep two pipes until a GC finalised them.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        var output = stdoutReader.ReadToEndAsync(cancellationToken);
        var error = stderrReader.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            using var stdin = process.StandardInput;
            await stdin.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var stdout = await output.ConfigureAwait(false);
        var stderr = await error.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new FirewallException($"{command} exited {process.ExitCode}: {stderr.Trim()}");
        }
        return stdout;
    }
}
