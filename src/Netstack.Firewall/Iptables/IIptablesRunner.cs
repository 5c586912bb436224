namespace Netstack.Firewall.Iptables;

/// <summary>Runs one iptables program with arguments and optional standard input; returns its output.</summary>
internal interface IIptablesRunner
{
    /// <exception cref="FirewallException">The program could not start or exited non-zero (its stderr in the message).</exception>
    Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken);
}
