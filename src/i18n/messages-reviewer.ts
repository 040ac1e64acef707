/** Strings of the review queue and live-app control in the admin console (/admin/aplikasi). Bahasa Indonesia first. */
export const idReviewer = {
  'reviewer.title': 'Tinjauan aplikasi',
} as const;

export const enReviewer: Record<keyof typeof idReviewer, string> = {
  'reviewer.title': 'App reviews',
};
