using Netstack.Controller;
using Xunit;

namespace Netstack.Privileged.Tests.Labs;

/// <summary>
/// A test class with its own <see cref="ControllerLab"/> per test: made before each test by
/// <see cref="CreateLabAsync"/>, removed after it, failure included.
/// </summary>
public abstract class ControllerLabTests : IAsyncLifetime
{
    private ControllerLab? _lab;

    internal ControllerLab Lab => _lab ?? throw new InvalidOperationException("the lab is made in InitializeAsync");

    /// <summary>The lab's controller (a new one after a restart).</summary>
    protected NetworkController Controller => Lab.Controller;

    public async Task InitializeAsync() => _lab = await CreateLabAsync();

    public async Task DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    /// <summary>The lab for one test: its driver and what is wired to the host namespace.</summary>
    internal abstract Task<ControllerLab> CreateLabAsync();
}
