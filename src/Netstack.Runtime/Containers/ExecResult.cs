namespace Netstack.Runtime.Containers;

/// <summary>How a command run in a container ended and what it printed.</summary>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);
