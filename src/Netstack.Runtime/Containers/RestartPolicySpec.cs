namespace Netstack.Runtime.Containers;

/// <summary>A restart policy as Docker names it: <c>always</c>, <c>unless-stopped</c> or <c>on-failure</c> with at most <paramref name="MaximumRetryCount"/> restarts (0 for no bound).</summary>
public sealed record RestartPolicySpec(string Name, int MaximumRetryCount = 0);
