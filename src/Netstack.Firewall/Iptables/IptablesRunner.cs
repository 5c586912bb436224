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
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
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
