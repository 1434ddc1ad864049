/**
 * The wallet service: withdraw an amount from a wallet if its balance covers it, and record the
 * withdrawal in the ledger. `guarded: false` is the code as it was first written (check, then
 * act: two withdrawals see the same balance and both pass); `guarded: true` is the fix (the
 * balance check is part of the UPDATE, which the row lock serializes).
 */
export function walletService(db, { guarded }) {
  async function checkThenAct(trx, walletId, amount) {
    const wallet = await trx.selectFrom('wallets').select('balance').where('id', '=', walletId).executeTakeFirst();
    if (!wallet || wallet.balance < amount) return false;
    await trx.updateTable('wallets').set((eb) => ({ balance: eb('balance', '-', amount) })).where('id', '=', walletId).execute();
    return true;
  }

  async function guardedUpdate(trx, walletId, amount) {
    const debited = await trx
      .updateTable('wallets')
      .set((eb) => ({ balance: eb('balance', '-', amount) }))
      .where('id', '=', walletId)
      .where('balance', '>=', amount)
      .returning('balance')
      .executeTakeFirst();
    return debited !== undefined;
  }

  return {
    /** Resolves true when the withdrawal was made, false when the balance did not cover it. */
    async withdraw(walletId, amount) {
      return db.transaction().execute(async (trx) => {
        const debited = guarded ? await guardedUpdate(trx, walletId, amount) : await checkThenAct(trx, walletId, amount);
        if (debited) await trx.insertInto('ledger').values({ wallet_id: walletId, amount }).execute();
        return debited;
      });
    },

    async balance(walletId) {
      const wallet = await db.selectFrom('wallets').select('balance').where('id', '=', walletId).executeTakeFirstOrThrow();
      return wallet.balance;
    },
  };
}
