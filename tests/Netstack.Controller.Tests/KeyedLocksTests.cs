using Xunit;

namespace Netstack.Controller.Tests;

/// <summary>Per-key mutexes: exclusive per key, and the table keeps only the keys in use (the churn soak's leak).</summary>
public sealed class KeyedLocksTests
{
    [Fact]
    public async Task Acquire_SameKeyWaits_OtherKeyDoesNot_AndReleasedKeysAreForgotten()
    {
        var locks = new KeyedLocks();
        var first = await locks.AcquireAsync("net-a", CancellationToken.None);
        var waiting = locks.AcquireAsync("net-a", CancellationToken.None);
        using (await locks.AcquireAsync("net-b", CancellationToken.None))
        {
            Assert.False(waiting.IsCompleted);
            Assert.Equal(2, locks.Count);
        }
        first.Dispose();
        (await waiting).Dispose();

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Acquire_WaiterCancelled_LeavesNothingBehind_AndTheHolderStillExcludes()
    {
        var locks = new KeyedLocks();
        var holder = await locks.AcquireAsync("sb-1", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = locks.AcquireAsync("sb-1", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, locks.Count);

        var next = locks.AcquireAsync("sb-1", CancellationToken.None);
        Assert.False(next.IsCompleted);
        holder.Dispose();
        (await next).Dispose();
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Acquire_ThousandsOfKeys_OneAtATime_TableStaysEmpty()
    {
        var locks = new KeyedLocks();
        for (var i = 0; i < 5000; i++)
        {
            using (await locks.AcquireAsync($"net-{i}", CancellationToken.None))
            {
                Assert.Equal(1, locks.Count);
            }
        }
        Assert.Equal(0, locks.Count);
    }
}
