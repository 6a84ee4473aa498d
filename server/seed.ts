/**
 * The demo community seeded on an empty database outside production: the plan's 7 grids with their compounds,
 * and one user per role of DOMAIN.md (a grid worker per grid), all with the same demo password.
 */
import type { Db } from '../platform/db';
import { hashPassword } from '../platform/password';

export const DEMO_PASSWORD = 'demo-2026';

const GRIDS: Array<{ code: string; name: string; compounds: Array<[string, number]> }> = [
  {
    code: 'G01',
    name: '第一网格',
    compounds: [
      ['幸福里小区', 420],
      ['和平新村', 360],
    ],
  },
  {
    code: 'G02',
    name: '第二网格',
    compounds: [
      ['阳光花园', 512],
      ['翠湖苑', 298],
    ],
  },
  {
    code: 'G03',
    name: '第三网格',
    compounds: [
      ['锦绣家园', 640],
      ['梧桐里', 210],
    ],
  },
  {
    code: 'G04',
    name: '第四网格',
    compounds: [
      ['滨江公寓', 388],
      ['东风小区', 450],
    ],
  },
  {
    code: 'G05',
    name: '第五网格',
    compounds: [
      ['丽景湾', 530],
      ['长青苑', 275],
    ],
  },
  {
    code: 'G06',
    name: '第六网格',
    compounds: [
      ['春晖小区', 410],
      ['金桂园', 330],
    ],
  },
  {
    code: 'G07',
    name: '第七网格',
    compounds: [
      ['安居苑', 470],
      ['文昌里', 190],
    ],
  },
];

export interface DemoLogin {
  username: string;
  displayName: string;
  roles: string[];
}

export const DEMO_USERS: DemoLogin[] = [
  { username: 'admin', displayName: '系统管理员', roles: ['admin'] },
  { username: 'reception', displayName: '李娜（接访）', roles: ['reception'] },
  { username: 'cadre', displayName: '张伟（社区干部）', roles: ['cadre'] },
  { username: 'secretary', displayName: '王芳（社区书记）', roles: ['secretary'] },
  { username: 'street-office', displayName: '刘洋（街道信访办）', roles: ['street-office'] },
  { username: 'member', displayName: '陈静（1+X 律师）', roles: ['member'] },
  { username: 'leader', displayName: '赵强（分管负责人）', roles: ['leader'] },
  ...GRIDS.map((g, i) => ({ username: `grid${i + 1}`, displayName: `网格员（${g.name}）`, roles: ['grid-worker'] })),
];

/** Seeds the demo community when there is no user yet. Returns the logins it created (none if not empty). */
export async function seedDemoCommunity(db: Db): Promise<DemoLogin[]> {
  const hash = await hashPassword(DEMO_PASSWORD);
  return db.transaction(async (tx) => {
    // Serialise two starts racing on one empty database: the second waits, then sees the users.
    await tx.query('LOCK TABLE app_user IN EXCLUSIVE MODE');
    const [{ count }] = await tx.query<{ count: string }>('SELECT count(*) AS count FROM app_user');
    if (Number(count) > 0) return [];
    const ids = new Map<string, string>();
    for (const user of DEMO_USERS) {
      const [row] = await tx.query<{ id: string }>(
        'INSERT INTO app_user (username, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id',
        [user.username, user.displayName, hash],
      );
      ids.set(user.username, row.id);
      for (const role of user.roles) {
        await tx.query('INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)', [row.id, role]);
      }
    }
    for (const [i, grid] of GRIDS.entries()) {
      const [row] = await tx.query<{ id: string }>(
        'INSERT INTO grid (code, name, grid_worker_id) VALUES ($1, $2, $3) RETURNING id',
        [grid.code, grid.name, ids.get(`grid${i + 1}`)],
      );
      for (const [name, households] of grid.compounds) {
        await tx.query('INSERT INTO compound (grid_id, name, households) VALUES ($1, $2, $3)', [
          row.id,
          name,
          households,
        ]);
      }
    }
    return DEMO_USERS;
  });
}
